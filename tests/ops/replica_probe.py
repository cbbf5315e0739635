"""Run by tests/ops/test_replica.py in a process of its own, with DATABASE_URL (a primary) and
DATABASE_REPLICA_URL (its streaming replica) set: where the router sends reads and writes.

Prints one JSON object: for each case, whether the server that answered is in recovery (the replica).
"""

from __future__ import annotations

import json
import time

import django


def main() -> None:
    django.setup()
    from django.contrib.contenttypes.models import ContentType
    from django.db import DatabaseError, connections, transaction
    from django.db.models.expressions import RawSQL

    from fuyuan.lib.dbrouter import use_replica

    with connections["default"].schema_editor() as editor:  # the one table the probe needs, on the primary
        editor.create_model(ContentType)

    def read(label: str) -> tuple[bool, bool]:
        """(found, answered by a server in recovery) for the row ``label``, read through the router."""
        query = ContentType.objects.filter(app_label="probe", model=label)
        row = query.annotate(in_recovery=RawSQL("pg_is_in_recovery()", [])).values_list("in_recovery", flat=True)
        if row.first() is None:  # not there (yet): ask the server the read went to
            with connections[query.db].cursor() as cursor:
                cursor.execute("SELECT pg_is_in_recovery()")
                return False, bool(cursor.fetchone()[0])
        return True, bool(row.first())

    result: dict[str, object] = {}
    with use_replica():
        written = ContentType.objects.create(app_label="probe", model="written")  # a write inside use_replica
        result["write_db"] = written._state.db
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery(), count(*) FROM django_content_type WHERE app_label = 'probe'")
        in_recovery, count = cursor.fetchone()
    result["primary_in_recovery"] = bool(in_recovery)
    result["written_on_primary"] = count == 1

    deadline = time.monotonic() + 10  # streaming replication: the row reaches the replica within moments
    with use_replica():
        while True:
            try:
                found, on_replica = read("written")
            except DatabaseError:  # the table itself has not reached the replica yet
                found, on_replica = False, True
            if found or time.monotonic() > deadline:
                break
            time.sleep(0.05)
    result["replica_read"] = {"found": found, "in_recovery": on_replica}
    result["plain_read_in_recovery"] = read("written")[1]  # outside use_replica: the primary
    with use_replica(), transaction.atomic():
        ContentType.objects.create(app_label="probe", model="in_transaction")
        result["read_in_transaction"] = dict(zip(("found", "in_recovery"), read("in_transaction"), strict=True))
    with use_replica():
        obj = ContentType.objects.get(app_label="probe", model="written")
        result["replica_object_db"] = obj._state.db
        obj.model = "saved_again"
        obj.save()  # an object read on the replica is saved on the primary
        result["saved_db"] = obj._state.db
    print(json.dumps(result))


if __name__ == "__main__":
    main()
