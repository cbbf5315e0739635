"""`make bench` (or `python -m bench [--only NAME] [--scale full]`): every benchmark module, then a summary."""

from __future__ import annotations

import argparse
import importlib
import sys
import time

from bench.runner import Report, machine_reference, setup_django

MODULES = [
    "foundation",
    "recommendations",
    "meetings",
    "referrals",
    "dashboard",
    "levels",
    "lists",
    "plans",
    "hearings",
    "opinions",
    "ipcases",
    "enforcement",
    "official",
    "library",
    "alerts",
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", action="append", help="run only these modules (repeatable)")
    parser.add_argument(
        "--scale",
        choices=["default", "full"],
        default="default",
        help="full: 1,000,000 referrals (about five more minutes to build the first time); default: 200,000",
    )
    args = parser.parse_args()
    if args.scale == "full":
        from bench import referrals

        referrals.TOTAL = referrals.FULL_TOTAL
    setup_django()
    report = Report()
    print(machine_reference(), flush=True)
    print(Report.header())
    started = time.perf_counter()
    for name in args.only or MODULES:
        try:
            module = importlib.import_module(f"bench.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"bench.{name}":
                continue  # that feature has no benchmark yet
            raise
        print(f"--- {name}", flush=True)
        module.run(report)
    failed = [r for r in report.rows if not r.ok]
    print(f"\n{len(report.rows)} measurements in {time.perf_counter() - started:.0f} s; {len(failed)} above target.")
    for row in failed:
        print(f"  above target: {row.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
