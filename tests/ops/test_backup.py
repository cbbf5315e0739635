"""A backup restored into another database holds the same records and the same uploaded files."""

from __future__ import annotations

from pathlib import Path

import psycopg2
import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from members.models import MemberUnit
from tests.factories import UnitFactory

pytestmark = pytest.mark.django_db(transaction=True)

TABLES = ["members_memberunit", "members_user", "members_worktask", "members_notification", "auth_group"]


def counts(dbname: str) -> dict[str, int]:
    params = connection.get_connection_params()
    conn = psycopg2.connect(dbname=dbname, host=params.get("host"), port=params.get("port"), user=params.get("user"))
    try:
        with conn.cursor() as cur:
            result = {}
            for table in TABLES:
                cur.execute(f"SELECT count(*) FROM {table}")
                result[table] = cur.fetchone()[0]
            return result
    finally:
        conn.close()


def test_backup_and_restore_into_another_database(tmp_path: Path, settings) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import ensure_organisation

    ensure_organisation()
    UnitFactory.create_batch(5)
    media = tmp_path / "media"
    (media / "attachments").mkdir(parents=True)
    (media / "attachments" / "signed.pdf").write_bytes(b"%PDF-1.7 test")
    settings.MEDIA_ROOT = media
    call_command("backup", to=str(tmp_path / "b"))

    target = connection.settings_dict["NAME"] + "_restored"
    with connection.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{target}"')
        cur.execute(f'CREATE DATABASE "{target}"')
    restored_media = tmp_path / "restored-media"
    settings.MEDIA_ROOT = restored_media
    try:
        call_command("restore", source=str(tmp_path / "b"), yes=True, database=target)
        assert counts(target) == counts(connection.settings_dict["NAME"])
        assert counts(target)["members_memberunit"] == MemberUnit.objects.count() > 40
        assert (restored_media / "attachments" / "signed.pdf").read_bytes() == b"%PDF-1.7 test"
    finally:
        with connection.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{target}"')


def test_restore_refuses_without_confirmation_and_a_damaged_backup(tmp_path: Path, settings) -> None:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("backup", to=str(tmp_path / "b"))
    with pytest.raises(CommandError, match="--yes"):
        call_command("restore", source=str(tmp_path / "b"))
    with (tmp_path / "b" / "media.tar.gz").open("ab") as f:
        f.write(b"garbage")
    with pytest.raises(CommandError, match="checksum"):
        call_command("restore", source=str(tmp_path / "b"), yes=True)
