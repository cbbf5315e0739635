"""`manage.py backup --to DIR`: the database (pg_dump, custom format) and the uploaded files."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess  # nosec B404  # pg_dump/pg_restore with an argument list, no shell
import tarfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone


def pg_env(db: Mapping[str, Any]) -> tuple[list[str], dict[str, str]]:
    args = [
        "-h",
        str(db.get("HOST") or "127.0.0.1"),
        "-p",
        str(db.get("PORT") or 5432),
        "-U",
        db.get("USER") or "postgres",
    ]
    env = {"PGPASSWORD": db.get("PASSWORD") or ""}
    return args, env


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


class Command(BaseCommand):
    help = "Back up the PostgreSQL database and the uploaded files into a folder."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--to", required=True, help="folder to write (created; must be empty)")

    def handle(self, *args: Any, **options: Any) -> None:
        db = settings.DATABASES["default"]
        if db["ENGINE"] != "django.db.backends.postgresql":
            raise CommandError("backup works on PostgreSQL (set DATABASE_URL); for SQLite copy var/db.sqlite3.")
        program = shutil.which("pg_dump")
        if not program:
            raise CommandError("pg_dump is missing: apt-get install -y postgresql-client")
        dest = Path(options["to"])
        dest.mkdir(parents=True, exist_ok=True)
        if any(dest.iterdir()):
            raise CommandError(f"{dest} is not empty.")
        conn_args, env = pg_env(db)
        dump = dest / "database.dump"
        subprocess.run(  # noqa: S603  # nosec B603  # fixed program, arguments from settings
            [program, *conn_args, "--format=custom", "--no-owner", "--file", str(dump), db["NAME"]],
            check=True,
            env={**os.environ, **env},
        )
        media = dest / "media.tar.gz"
        root = Path(settings.MEDIA_ROOT)
        with tarfile.open(media, "w:gz") as tar:
            if root.exists():
                tar.add(root, arcname=".")
        manifest = {
            "created_at": timezone.now().isoformat(),
            "database": db["NAME"],
            "files": {p.name: sha256(p) for p in (dump, media)},
        }
        (dest / "manifest.json").write_text(json.dumps(manifest, indent=2))
        self.stdout.write(f"backup written to {dest} ({dump.stat().st_size + media.stat().st_size} bytes)")
