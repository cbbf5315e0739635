"""Celery autodiscovery entry point of the cases app."""

from cases.tasks_referrals import *  # noqa
