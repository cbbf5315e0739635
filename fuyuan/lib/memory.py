"""Keeping the start-up objects out of the garbage collector's way (``gc.freeze()``).

A web or worker process holds ~195 k long-lived objects once Django, the apps, the URL patterns and the
views are loaded. Python's collector walks all of them at every generation-2 collection (47–64 ms every
~17 requests on the referral list), which made the p95 of some lists 4–5× their median. Frozen, they sit
in the permanent generation: never scanned, never freed.

Called by the gunicorn hooks (``fuyuan/gunicorn_conf.py``), Celery's ``worker_process_init``
(``fuyuan/celery.py``) and the benchmark runner (``bench/runner.py``).
"""

from __future__ import annotations

import gc


def warm_up() -> None:
    """Load what the first request would: the URL patterns and, through them, every view module."""
    from django.urls import get_resolver

    resolver = get_resolver()
    resolver.url_patterns  # noqa: B018  # imports the urlconf and every app's views
    resolver._populate()  # the reverse() tables


def freeze(*, warm: bool = False) -> int:
    """Collect what start-up left behind, then move every surviving object to the permanent generation.

    Returns how many objects are frozen. ``warm``: load the URL patterns and views first (Django must be set up).
    """
    if warm:
        warm_up()
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()
