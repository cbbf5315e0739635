"""Issue 19, the per-request cost: the capped unread badge, sessions read from the cache, and the
start-up objects frozen out of the garbage collector in web and worker processes."""

from __future__ import annotations

import gc
import logging
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.test import Client, override_settings
from django.urls import clear_url_caches, get_resolver, reverse

from fuyuan import celery as fuyuan_celery
from fuyuan import gunicorn_conf
from fuyuan.lib import memory
from members.models import Notification, User
from members.selectors import UNREAD_BADGE_CAP, unread_badge, unread_count
from tests.conftest import Cast, client_for


def _unread(user: User, count: int) -> None:
    ct = ContentType.objects.get_for_model(User)
    Notification.objects.bulk_create(
        [Notification(recipient=user, event="t", content_type=ct, object_id=i, stage="s") for i in range(count)]
    )


def test_the_badge_counts_up_to_99_and_shows_99_plus_beyond(cast: Cast, django_assert_num_queries) -> None:
    assert unread_badge(cast.liaison) == ""
    _unread(cast.liaison, 99)
    assert unread_badge(cast.liaison) == "99"
    _unread(cast.other_liaison, 150)
    with django_assert_num_queries(1):  # COUNT(*) over at most UNREAD_BADGE_CAP rows
        assert unread_badge(cast.other_liaison) == f"{UNREAD_BADGE_CAP - 1}+" == "99+"
    assert unread_count(cast.other_liaison) == 150  # the API's unread_notifications stays exact
    page = client_for(cast.other_liaison).get(reverse("home")).content.decode()
    assert 'data-testid="unread-count">99+<' in page


def test_production_sessions_are_cached_db_when_redis_is_configured() -> None:
    import fuyuan.settings as production

    assert production.REDIS_URL and production.SESSION_ENGINE == "django.contrib.sessions.backends.cached_db"


CACHED_DB = "django.contrib.sessions.backends.cached_db"


@override_settings(SESSION_ENGINE=CACHED_DB)
def test_cached_db_sessions_sign_in_read_without_a_query_and_sign_out(cast: Cast, django_assert_num_queries) -> None:
    user = cast.liaison
    user.set_password("correct horse 1")
    user.save()
    client = Client()
    signed_in = client.post(reverse("login"), {"username": user.username, "password": "correct horse 1"})
    assert signed_in.status_code == 302
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert Session.objects.filter(session_key=key).exists()  # written through to the database
    assert cache.get(f"django.contrib.sessions.cached_db{key}") is not None
    client.get(reverse("unit-search"))
    with django_assert_num_queries(2):  # the user with their unit and region, the page of units: no session query
        assert client.get(reverse("unit-search"), {"q": "法院"}).status_code == 200
    client.post(reverse("logout"))
    assert not Session.objects.filter(session_key=key).exists()
    assert cache.get(f"django.contrib.sessions.cached_db{key}") is None
    assert client.get(reverse("home")).status_code == 302  # signed out


@pytest.fixture
def unfrozen():
    gc.unfreeze()
    yield
    gc.unfreeze()  # the rest of the suite runs as it did


def test_the_memory_helper_freezes_what_start_up_left(unfrozen) -> None:
    assert gc.get_freeze_count() == 0
    assert memory.freeze(warm=True) > 0 and gc.get_freeze_count() > 0


def test_the_gunicorn_hooks_freeze_the_start_up_objects(unfrozen) -> None:
    worker = SimpleNamespace(log=logging.getLogger("gunicorn.test"))
    gunicorn_conf.when_ready(SimpleNamespace())
    assert gc.get_freeze_count() > 0
    gc.unfreeze()
    gunicorn_conf.post_fork(SimpleNamespace(), worker)
    assert gc.get_freeze_count() > 0
    gc.unfreeze()
    gunicorn_conf.post_worker_init(worker)
    assert gc.get_freeze_count() > 0 and worker.fuyuan_requests == 0
    gc.unfreeze()
    for _ in range(gunicorn_conf.REFREEZE_AFTER - 1):
        gunicorn_conf.post_request(worker, None, {}, None)
    assert gc.get_freeze_count() == 0
    gunicorn_conf.post_request(worker, None, {}, None)  # the REFREEZE_AFTER-th request
    assert gc.get_freeze_count() > 0


def test_the_celery_worker_processes_freeze_theirs(unfrozen) -> None:
    from celery.signals import worker_process_init

    clear_url_caches()
    worker_process_init.send(sender=None)  # what each prefork child sends once started
    assert gc.get_freeze_count() > 0
    assert get_resolver()._populated  # the URL patterns are loaded: the first scan's reverse() imports nothing
    gc.unfreeze()
    fuyuan_celery.freeze_startup_objects()
    assert gc.get_freeze_count() > 0
