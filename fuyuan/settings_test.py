"""Settings for the test suite: the real settings module, on PostgreSQL and Redis.

Only defaults are set here; an environment that sets ``DATABASE_URL`` or ``REDIS_URL``
(CI, a developer's own servers) wins.
"""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-secret-key-that-is-long-enough-to-pass-checks-0123456789")
os.environ.setdefault("DJANGO_HTTPS", "0")
os.environ.setdefault("DJANGO_STATIC_MANIFEST", "0")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/fuyuan")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/1")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")

# Parallel test workers (pytest-xdist) each get a Redis database of their own, as they get a
# PostgreSQL database of their own, so that one worker's cache never answers another's tests.
_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
if _worker.startswith("gw") and _worker[2:].isdigit() and not os.environ.get("FUYUAN_TEST_REDIS_PER_WORKER"):
    _base, _, _db = os.environ["REDIS_URL"].rpartition("/")
    _db_number = int(_db) if _db.isdigit() else 0
    os.environ["REDIS_URL"] = f"{_base}/{min(_db_number + 1 + int(_worker[2:]), 15)}"
    os.environ["FUYUAN_TEST_REDIS_PER_WORKER"] = "1"  # processes the tests start inherit it as it is

from fuyuan.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# The query-count tests count the session's read as production did before ``cached_db``: the suite keeps database
# sessions, and tests/members/test_request_cost.py runs the sign-in, sign-out and idle paths under ``cached_db``.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
# Tests read email from django.core.mail.outbox. The fault tests start a real Celery worker that
# must send through an SMTP server the test runs: they set FUYUAN_TEST_SMTP=1 with EMAIL_HOST and
# EMAIL_PORT, which keeps the SMTP backend that settings.py chose from EMAIL_HOST.
if not os.environ.get("FUYUAN_TEST_SMTP"):
    EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
AXES_ENABLED = True
TEMPLATES[0]["DIRS"] = [*TEMPLATES[0]["DIRS"], BASE_DIR / "tests" / "templates"]  # noqa: F405
STATIC_ROOT = None  # static files come from the finders in tests; nothing is collected
WHITENOISE_USE_FINDERS = True
# Attachment text is read in this process (same caps) rather than in a child per upload: the suite uploads thousands
# of files. The bounded child has its own tests (tests/attachments/test_core.py).
FUYUAN_TEXT_EXTRACTION_ISOLATED = False
