"""Personal data of referral parties: the formats checked on input and the masks shown to others."""

from __future__ import annotations

import re
from dataclasses import dataclass

from cases.referrals.models import Party, Referral
from members.models import User
from members.roles import is_office

ID_NUMBER_RE = re.compile(r"^\d{17}[\dXx]$|^\d{15}$")
PHONE_RE = re.compile(r"^\+?[\d\- ]{7,20}$")


def mask_name(name: str) -> str:
    """张三丰 → 张**: the family name stays, the length of the rest does not show."""
    name = (name or "").strip()
    return f"{name[:1]}**" if name else ""


def mask_id_number(number: str) -> str:
    """620102199001011234 → 6201**********1234."""
    number = (number or "").strip()
    if len(number) <= 8:
        return "*" * len(number)
    return number[:4] + "*" * (len(number) - 8) + number[-4:]


def mask_phone(phone: str) -> str:
    """13812345678 → 138****5678."""
    phone = (phone or "").strip()
    if len(phone) <= 7:
        return "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]


def sees_personal_data(user: User, referral: Referral) -> bool:
    """Sender, receiver (and its handling sub-unit) and office staff see parties in full."""
    if is_office(user):
        return True
    unit = getattr(user, "unit_id", None)
    return unit is not None and unit in (referral.sender_id, referral.receiver_id, referral.handler_id)


@dataclass(frozen=True)
class PartyView:
    role: str
    role_label: str
    name: str
    id_number: str
    phone: str


def party_views(parties: list[Party], *, full: bool) -> list[PartyView]:
    return [
        PartyView(
            role=p.role,
            role_label=str(p.get_role_display()),
            name=p.name if full else mask_name(p.name),
            id_number=p.id_number if full else mask_id_number(p.id_number),
            phone=p.phone if full else mask_phone(p.phone),
        )
        for p in parties
    ]
