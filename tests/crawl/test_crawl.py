"""Every role, every same-site link from the home page, on PostgreSQL and on a first run's SQLite: no 5xx.

Issue 12: the embedded default (SQLite, ``make run``) broke where CI never looked. Both runs load the
demo accounts and dataset with ``manage.py load_demo`` and crawl with ``tests/crawl/crawler.py``.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from cases.models import JudicialRecommendation, Referral
from meetings.models import Consultation, Decision, Meeting
from members.models import User
from tests.conftest import ensure_organisation
from tests.crawl import crawler

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_crawl_every_role_on_postgresql(settings: object) -> None:
    ensure_organisation()
    call_command("load_demo", stdout=io.StringIO())
    crawls = crawler.crawl_every_role()
    assert all(len(c.visited) > 20 for c in crawls), crawler.report(crawls)
    assert not [p for c in crawls for p in c.problems], crawler.report(crawls)


@pytest.mark.django_db
def test_load_demo_is_idempotent() -> None:
    ensure_organisation()
    call_command("load_demo", stdout=io.StringIO())
    counts = {m: m.objects.count() for m in (User, JudicialRecommendation, Referral, Meeting, Decision, Consultation)}
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    assert {m: m.objects.count() for m in counts} == counts
    assert "nothing loaded" in out.getvalue()


def test_crawl_every_role_on_a_first_run_sqlite(tmp_path: Path) -> None:
    """``python -m tests.crawl.first_run`` on a fresh SQLite file and var folder, as ``make run`` starts."""
    var = tmp_path / "var"
    for folder in ("celery/queue", "celery/processed", "media"):
        (var / folder).mkdir(parents=True)
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "REDIS_", "PYTEST_"))},
        "DJANGO_SETTINGS_MODULE": "fuyuan.settings",
        "DJANGO_DEBUG": "1",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "FUYUAN_VAR_DIR": str(var),
        "LOG_LEVEL": "ERROR",
    }
    run = subprocess.run(
        [sys.executable, "-m", "tests.crawl.first_run"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert run.returncode == 0, f"{run.stdout}\n{run.stderr[-3000:]}"
    assert "admin:" in run.stdout
