"""Panels of the home page that other apps contribute (awaiting replies, meetings, decisions…).

An app registers a function in its ``AppConfig.ready``; the function gets the user and returns
``None`` (nothing for this user) or a ``Panel``. The home page stays ignorant of the other apps.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from members.models import User


@dataclass
class Panel:
    template: str
    context: dict[str, Any] = field(default_factory=dict)
    order: int = 100


PanelProvider = Callable[[User], Panel | None]
_PROVIDERS: list[PanelProvider] = []


def register_panel(provider: PanelProvider) -> PanelProvider:
    if provider not in _PROVIDERS:
        _PROVIDERS.append(provider)
    return provider


def panels_for(user: User) -> list[Panel]:
    panels = [p for p in (provider(user) for provider in _PROVIDERS) if p is not None]
    return sorted(panels, key=lambda p: p.order)
