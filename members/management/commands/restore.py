"""`manage.py restore --from DIR --yes`: put a backup back (replaces the database and uploaded files)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess  # nosec B404  # pg_dump/pg_restore with an argument list, no shell
import tarfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from members.management.commands.backup import pg_env, sha256


class Command(BaseCommand):
    help = "Restore a backup made by `manage.py backup` (replaces the database and the uploaded files)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--from", dest="source", required=True, help="folder written by backup")
        parser.add_argument("--yes", action="store_true", help="confirm that the current data is replaced")
        parser.add_argument("--database", help="restore into this database name instead of the configured one")

    def handle(self, *args: Any, **options: Any) -> None:
        source = Path(options["source"])
        manifest_path = source / "manifest.json"
        if not manifest_path.exists():
            raise CommandError(f"{source} holds no backup (manifest.json missing).")
        manifest = json.loads(manifest_path.read_text())
        for name, digest in manifest["files"].items():
            if sha256(source / name) != digest:
                raise CommandError(f"{name} does not match its checksum: the backup is damaged.")
        if not options["yes"]:
            raise CommandError("This replaces the current data. Run again with --yes to confirm.")
        program = shutil.which("pg_restore")
        if not program:
            raise CommandError("pg_restore is missing: apt-get install -y postgresql-client")
        db = settings.DATABASES["default"]
        target = options["database"] or db["NAME"]
        conn_args, env = pg_env(db)
        subprocess.run(  # noqa: S603  # nosec B603  # fixed program, arguments from settings
            [
                program,
                *conn_args,
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                "--dbname",
                target,
                str(source / "database.dump"),
            ],
            check=True,
            env={**os.environ, **env},
        )
        root = Path(settings.MEDIA_ROOT)
        root.mkdir(parents=True, exist_ok=True)
        with tarfile.open(source / "media.tar.gz", "r:gz") as tar:
            tar.extractall(root, filter="data")
        self.stdout.write(f"restored {manifest['database']} of {manifest['created_at']} into {target}")
