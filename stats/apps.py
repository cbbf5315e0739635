from typing import Any

from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def install_rollups(using: str = "default", **kwargs: Any) -> None:
    """After ``migrate``: the change triggers on every counted table, and the rollups rebuilt when the sources'
    counts changed (``stats.rollups.layout``)."""
    from stats import rollups, triggers

    triggers.install(connections[using])
    rollups.ensure_layout()


class StatsConfig(AppConfig):
    name = "stats"
    verbose_name = _("统计与报告")

    def ready(self) -> None:
        post_migrate.connect(install_rollups, sender=self, dispatch_uid="stats.install_rollups")
