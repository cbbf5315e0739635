from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend

from members.models import User


class UnitAwareModelBackend(ModelBackend):
    """Django's backend, loading the user's unit with the user: every page shows it."""

    def get_user(self, user_id: Any) -> User | None:
        try:
            user = User.objects.select_related("unit").get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
