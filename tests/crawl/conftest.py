"""A first run's environment: a fresh var folder and SQLite file, as ``make run`` makes them."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def first_run_env(var: Path, **extra: str) -> dict[str, str]:
    """The environment of ``make run`` on a new machine: no DATABASE_URL, no REDIS_URL, DEBUG on."""
    for folder in ("celery/queue", "celery/processed", "media"):
        (var / folder).mkdir(parents=True, exist_ok=True)
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "REDIS_", "PYTEST_"))}
    return {**keep, "DJANGO_DEBUG": "1", "FUYUAN_VAR_DIR": str(var), **extra}


@pytest.fixture(scope="session")
def migrated_var(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A var folder whose SQLite database has every migration applied (once per test worker)."""
    var = tmp_path_factory.mktemp("first-run") / "var"
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"],
        cwd=ROOT,
        env=first_run_env(var),
        check=True,
        timeout=300,
    )
    return var


@pytest.fixture
def first_run_var(migrated_var: Path, tmp_path: Path) -> Path:
    """A copy of the migrated var folder for one test."""
    var = tmp_path / "var"
    shutil.copytree(migrated_var, var)
    return var
