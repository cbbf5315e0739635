"""`make lint`: no module of application code is over MAX_LINES lines (migrations excepted).

A static check like ruff's, so it runs with the linters, without the database the test suite needs.
Usage: python scripts/check_module_size.py [--max N] [package ...]
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("fuyuan", "members", "attachments", "cases", "meetings", "plans", "library", "stats", "search")
MAX_LINES = 600


def oversized(packages: Iterable[str], max_lines: int, *, root: Path = ROOT) -> list[tuple[str, int]]:
    """``(path, lines)`` of every ``.py`` file in ``packages`` longer than ``max_lines``, outside migrations."""
    found = []
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            if "migrations" in path.relative_to(root).parts:
                continue
            with path.open(encoding="utf-8") as handle:
                lines = sum(1 for _line in handle)
            if lines > max_lines:
                found.append((str(path.relative_to(root)), lines))
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max", type=int, default=MAX_LINES)
    parser.add_argument("packages", nargs="*", default=list(PACKAGES))
    args = parser.parse_args(argv)
    found = oversized(args.packages, args.max)
    for path, lines in found:
        print(f"{path}: {lines} lines (at most {args.max}); split it into modules of the feature")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
