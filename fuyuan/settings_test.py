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

from fuyuan.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Tests read email from django.core.mail.outbox. The fault tests start a real Celery worker that
# must send through an SMTP server the test runs: they set FUYUAN_TEST_SMTP=1 with EMAIL_HOST and
# EMAIL_PORT, which keeps the SMTP backend that settings.py chose from EMAIL_HOST.
if not os.environ.get("FUYUAN_TEST_SMTP"):
    EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
AXES_ENABLED = True
TEMPLATES[0]["DIRS"] = [*TEMPLATES[0]["DIRS"], BASE_DIR / "tests" / "templates"]  # noqa: F405
STATIC_ROOT = None  # static files come from the finders in tests; nothing is collected
WHITENOISE_USE_FINDERS = True
