"""Helpers of the legal-opinion tests (tests/cases/test_opinions_*.py)."""

from __future__ import annotations

from typing import Any

from cases.opinions import services
from cases.opinions.models import Opinion
from members.models import MemberUnit, Notification, User

_n = {"n": 0}


def ask(by: User, court: MemberUnit, **kw: Any) -> Opinion:
    """A request of ``by``'s unit (or, for the office, of ``requester``) to ``court``."""
    _n["n"] += 1
    kw.setdefault("kind", Opinion.Kind.LEGAL_QUESTION)
    kw.setdefault("subject", f"关于征收补偿标准适用的咨询{_n['n']}")
    kw.setdefault("question", "集体土地征收补偿标准应当适用哪一版本的地方规定?")
    return services.opinion_request(by=by, court=court, **kw)


def answered(by: User, court: MemberUnit, clerk: User, **kw: Any) -> Opinion:
    opinion = ask(by, court, **kw)
    return services.opinion_answer(opinion=opinion, by=clerk, answer="经研究,应适用现行有效的规定。")


def notices(event: str | None = None) -> list[tuple[str, str, str]]:
    qs = Notification.objects.filter(event__startswith="opinion_")
    if event:
        qs = qs.filter(event=event)
    return sorted(qs.values_list("event", "stage", "recipient__username"))


def snapshot(opinion: Opinion) -> dict[str, Any]:
    """The row as stored, to show a refused action changed nothing."""
    return Opinion.objects.filter(pk=opinion.pk).values().get()
