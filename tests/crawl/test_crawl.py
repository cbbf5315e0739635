"""Every role, every same-site link from the home page, on PostgreSQL and on a first run's SQLite: no 5xx.

Issue 12: the embedded default (SQLite, ``make run``) broke where CI never looked. Both runs load the
demo accounts and dataset with ``manage.py load_demo`` and crawl with ``tests/crawl/crawler.py``.
"""

from __future__ import annotations

import io
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
from tests.crawl.conftest import ROOT, first_run_env


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


def test_crawl_every_role_on_a_first_run_sqlite(first_run_var: Path) -> None:
    """``python -m tests.crawl.first_run`` on a migrated SQLite file and var folder, as ``make run`` has them."""
    env = first_run_env(first_run_var, DJANGO_SETTINGS_MODULE="fuyuan.settings", LOG_LEVEL="CRITICAL")
    run = subprocess.run(
        [sys.executable, "-m", "tests.crawl.first_run"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,  # the demo, every role's pages on SQLite; a runaway crawl still fails (MAX_PAGES)
        check=False,
    )
    assert run.returncode == 0, f"{run.stdout}\n{run.stderr[-3000:]}"
    assert "admin:" in run.stdout
