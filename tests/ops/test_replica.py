"""The read replica (fuyuan.lib.dbrouter): reads marked ``use_replica`` land on a real streaming replica,
every write and every read in a transaction on the primary; without a replica nothing changes.

The fixture starts its own primary (initdb) and a streaming replica of it (pg_basebackup -R) on free
ports: a base backup of the machine's shared cluster would copy every database on it (the benchmark's
gigabytes). Binaries: tests.faults.servers.PG_BIN ($FUYUAN_PG_BIN, Debian's /usr/lib/postgresql/15/bin,
initdb on the PATH, pg_config --bindir).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from fuyuan.lib import dbrouter
from tests.faults.servers import PG_BIN, PrivatePostgres, _as_postgres, wait_for

ROOT = Path(__file__).resolve().parents[2]


class StreamingPostgres(PrivatePostgres):
    """A private cluster that can be a primary (full page writes on: a base backup needs them) or a replica."""

    def _ctl(self, *args: str) -> None:
        options = f"-p {self.port} -h 127.0.0.1 -k {self.dir} -c fsync=off -c wal_level=replica -c max_wal_senders=4"
        _as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.dir / "log"), "-o", options, *args)

    def follow(self, primary: PrivatePostgres) -> None:
        """Instead of initdb: a base backup of ``primary`` that streams from it (``standby.signal``, -R)."""
        _as_postgres(
            str(PG_BIN / "pg_basebackup"),
            *("-h", "127.0.0.1", "-p", str(primary.port), "-U", "postgres", "-D", str(self.data)),
            *("-R", "-X", "stream", "--no-sync", "-c", "fast"),
        )

    def sql(self, query: str, database: str = "postgres") -> str:
        server = ("-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-d", database)
        return _as_postgres(str(PG_BIN / "psql"), *server, "-Atc", query).stdout.strip()


@pytest.fixture(scope="module")
def streaming_pair() -> Iterator[tuple[StreamingPostgres, StreamingPostgres]]:
    primary, replica = StreamingPostgres(), StreamingPostgres()
    try:
        primary.init()
        primary.start()
        primary.createdb("fuyuan")
        replica.follow(primary)
        replica.start()
        wait_for(lambda: replica.sql("SELECT pg_is_in_recovery()") == "t", timeout=20, what="the replica")
        yield primary, replica
    finally:
        replica.close()
        primary.close()


def _probe(primary: StreamingPostgres, replica: StreamingPostgres) -> dict[str, Any]:
    strip = ("DATABASE_", "REDIS_", "FUYUAN_", "PYTEST_XDIST_")
    env = {k: v for k, v in os.environ.items() if not k.startswith(strip)}
    env.update(
        DJANGO_SETTINGS_MODULE="fuyuan.settings_test",
        PYTHONDONTWRITEBYTECODE="1",
        DATABASE_URL=primary.url("fuyuan"),
        DATABASE_REPLICA_URL=replica.url("fuyuan"),
    )
    done = subprocess.run(
        [sys.executable, "-m", "tests.ops.replica_probe"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr[-4000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_reads_marked_for_the_replica_land_on_it_and_writes_on_the_primary(
    streaming_pair: tuple[StreamingPostgres, StreamingPostgres],
) -> None:
    primary, replica = streaming_pair
    assert replica.sql("SELECT pg_is_in_recovery()") == "t"
    assert primary.sql("SELECT count(*) FROM pg_stat_replication") == "1"  # the replica streams from our primary

    result = _probe(primary, replica)

    # A write inside use_replica() goes to the primary, which is not in recovery.
    assert result["write_db"] == "default"
    assert result["primary_in_recovery"] is False and result["written_on_primary"] is True
    # The marked read is answered by the replica (the query itself reports pg_is_in_recovery() true),
    # and finds the row the primary wrote: it streamed across.
    assert result["replica_read"] == {"found": True, "in_recovery": True}
    # An unmarked read stays on the primary; in a transaction, a marked read too (it sees the transaction's row).
    assert result["plain_read_in_recovery"] is False
    assert result["read_in_transaction"] == {"found": True, "in_recovery": False}
    # An object read on the replica is saved on the primary.
    assert result["replica_object_db"] == "replica"
    assert result["saved_db"] == "default"
    assert primary.sql("SELECT count(*) FROM django_content_type WHERE model = 'saved_again'", "fuyuan") == "1"


def test_without_a_replica_the_router_is_inactive(settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from django.contrib.contenttypes.models import ContentType
    from django.contrib.sessions.models import Session

    assert "replica" not in settings.DATABASES  # the test settings have none: no router installed
    router = dbrouter.ReplicaRouter()
    with dbrouter.use_replica():
        assert router.db_for_read(ContentType) is None
    monkeypatch.setattr(dbrouter, "replica_configured", lambda: True)  # as when DATABASE_REPLICA_URL is set
    assert router.db_for_read(ContentType) is None  # not marked
    with dbrouter.use_replica():
        assert router.db_for_read(ContentType) == "replica"
        assert router.db_for_read(Session) is None  # who the user is: always the primary
        assert router.db_for_write(ContentType) == "default"
    assert router.allow_migrate("replica", "members") is False
