"""The Celery application. Periodic tasks live in django-celery-beat's database scheduler."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fuyuan.settings")

app = Celery("fuyuan")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
