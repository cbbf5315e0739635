from __future__ import annotations

from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.db.models import Sum

from members.models import User


class UnitAwareModelBackend(ModelBackend):
    """Django's backend, loading the user with their unit and its region (pages show one, scopes read the other)."""

    def get_user(self, user_id: Any) -> User | None:
        try:
            user = User.objects.select_related("unit__region").get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None


class UserOrAddressLockout(AxesDatabaseHandler):
    """django-axes' lock-out, per username and per address, each with its own limit.

    ``AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]`` makes axes count failures per username
    (from any address) and per address (for any username); this handler locks a username at
    ``AXES_FAILURE_LIMIT`` failures and an address at ``FUYUAN_ADDRESS_FAILURE_LIMIT`` (higher: many
    people of one office may share an address). A successful sign-in clears its username's count only,
    so an attacker's own account cannot wipe the count of the address it guesses from.
    """

    def get_failures(self, request: Any, credentials: dict | None = None) -> int:
        per_username, per_address = (
            attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        )
        address_locked = per_address >= settings.FUYUAN_ADDRESS_FAILURE_LIMIT
        return max(per_username, settings.AXES_FAILURE_LIMIT if address_locked else 0)

    def reset_user_attempts(self, request: Any, credentials: dict | None = None) -> int:
        per_username = self.filter_user_attempts(request, credentials)[0]
        count, _deleted = per_username.delete()
        return count
