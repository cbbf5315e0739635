"""The settings module: strict environment readers, production checks."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from fuyuan.lib import env

ROOT = Path(__file__).resolve().parents[2]


def run_manage(*args: str, extra_env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "REDIS_", "EMAIL_"))}
    base.update({"DJANGO_SETTINGS_MODULE": "fuyuan.settings", **extra_env})
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=base, capture_output=True, text=True, timeout=120
    )


def test_env_bool_rejects_a_bad_value(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FY_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="FY_FLAG"):
        env.env_bool("FY_FLAG")
    monkeypatch.setenv("FY_FLAG", "Yes")
    assert env.env_bool("FY_FLAG") is True


def test_env_int_and_url_name_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FY_N", "ten")
    with pytest.raises(ImproperlyConfigured, match="FY_N must be a whole number"):
        env.env_int("FY_N", 1)
    monkeypatch.setenv("FY_N", "0")
    with pytest.raises(ImproperlyConfigured, match="at least 1"):
        env.env_int("FY_N", 1, minimum=1)
    monkeypatch.setenv("FY_URL", "mysql://x")
    with pytest.raises(ImproperlyConfigured, match="FY_URL must start with"):
        env.env_url("FY_URL", schemes=("postgres",))


def test_secret_key_is_required_when_debug_is_off() -> None:
    result = run_manage("check", extra_env={})
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_a_bad_value_stops_start_up_with_a_clear_message() -> None:
    result = run_manage("check", extra_env={"DJANGO_DEBUG": "sometimes"})
    assert result.returncode != 0
    assert "DJANGO_DEBUG must be one of" in result.stderr


def test_development_defaults_need_no_service() -> None:
    result = run_manage(
        "shell",
        "-v",
        "0",
        "-c",
        "from django.conf import settings as s; "
        "print(s.DATABASES['default']['ENGINE'], s.CELERY_BROKER_URL, s.EMAIL_BACKEND)",
        extra_env={"DJANGO_DEBUG": "1"},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.db.backends.sqlite3",
        "filesystem://localhost/",
        "django.core.mail.backends.console.EmailBackend",
    ]


def test_check_deploy_is_clean_with_production_variables() -> None:
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        extra_env={
            "DJANGO_SECRET_KEY": "p" * 20 + "roduction-secret-with-enough-length-and-variety-0123456789",
            "DJANGO_ALLOWED_HOSTS": "fuyuan.example.gov.cn",
            "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/fuyuan",
            "REDIS_URL": "redis://127.0.0.1:6379/0",
        },
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_make_run_sets_up_sqlite_with_no_service(tmp_path: Path) -> None:
    """What `make run` does first, with no environment: migrate, organisation, demo accounts."""
    env = {"DJANGO_DEBUG": "1", "FUYUAN_VAR_DIR": str(tmp_path)}
    for command in (["migrate", "--no-input", "-v", "0"], ["load_organisation"], ["create_demo_users"]):
        result = run_manage(*command, extra_env=env)
        assert result.returncode == 0, result.stderr[-2000:]
    assert "office1" in result.stdout and "admin1" in result.stdout
    # The accounts of the 市州 and 县市区 levels, each shown with its unit.
    for username, unit in (
        ("office2", "兰州市司法局"),
        ("leader2", "兰州市司法局"),
        ("office3", "兰州市城关区司法局"),
        ("clerk3", "兰州市城关区人民法院"),
        ("liaison4", "兰州市城关区人力资源和社会保障局"),
    ):
        assert any(username in line and unit in line for line in result.stdout.splitlines()), username
    again = run_manage("create_demo_users", extra_env=env)
    assert "no demo account created" in again.stdout
    assert (tmp_path / "db.sqlite3").exists()


@pytest.mark.django_db
def test_postgresql_jit_is_off_for_the_sites_connections() -> None:
    """JIT compiling cost more than it saved on the platform's queries (see fuyuan/settings.py)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"


@pytest.mark.django_db
def test_every_model_change_has_its_migration() -> None:
    """`makemigrations --check` in the suite: a model changed without its migration fails CI."""
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)  # exits 1 on a missing one
    assert "No changes detected" in out.getvalue()
