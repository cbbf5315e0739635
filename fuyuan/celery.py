"""The Celery application. Periodic tasks live in django-celery-beat's database scheduler."""

import os
from typing import Any

from celery import Celery
from celery.signals import worker_process_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fuyuan.settings")

app = Celery("fuyuan")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_process_init.connect
def freeze_startup_objects(**kwargs: Any) -> None:
    """Each worker process, once started, loads the URL patterns and freezes its start-up objects out of the collector.

    The URL patterns (and through them every view module) are what the first ``reverse()`` of a notice's link
    loads otherwise: ~0.5 s of imports inside the first alert scan of every worker process.
    """
    from fuyuan.lib import memory

    memory.freeze(warm=True)
