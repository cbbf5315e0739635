"""The first run of a new user, crawled: ``python -m tests.crawl.first_run`` with ``DATABASE_URL`` naming a
fresh SQLite file (and ``FUYUAN_VAR_DIR`` a fresh folder): migrate, load the demo, crawl every role.

It runs on ``fuyuan.settings`` with ``DJANGO_DEBUG=1``, as ``make run`` does. Prints the crawl's report
and exits 1 when a page answered 5xx.
"""

from __future__ import annotations

import io
import os
import sys

import django


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fuyuan.settings")
    django.setup()
    # Imported once Django is set up: models cannot be imported before (not an import cycle, an order).
    from django.core.management import call_command
    from django.test.utils import setup_test_environment

    from tests.crawl import crawler

    setup_test_environment()  # the test client's response.exc_info, and "testserver" among the allowed hosts
    call_command("migrate", verbosity=0, interactive=False)
    call_command("load_demo", stdout=io.StringIO())
    crawls = crawler.crawl_every_role()
    print(crawler.report(crawls))
    return 1 if any(c.problems for c in crawls) else 0


if __name__ == "__main__":
    sys.exit(main())
