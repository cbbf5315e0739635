"""The sign-in lock-out's admin (django-axes) in Chinese.

django-axes ships no zh_Hans catalogue. Its models and admin mark their English words with gettext, so
our catalogue translates them: they are listed here (``gettext_noop``) so that ``makemessages`` keeps
them in ``locale/zh_Hans/LC_MESSAGES/django.po``, where each English msgid has its Chinese msgstr.
The words it does not mark (a column named after a method) get a label in ``members.admin``.
"""

from __future__ import annotations

from axes.apps import AppConfig as AxesAppConfig
from django.utils.translation import gettext_lazy, gettext_noop


class AxesConfig(AxesAppConfig):
    """django-axes (INSTALLED_APPS names this config) under a Chinese heading in the admin.

    Here, not in ``members/apps.py``: a second AppConfig there would stop Django choosing MembersConfig.
    """

    verbose_name = gettext_lazy("登录保护")


AXES_WORDS = (
    # models: names and fields
    gettext_noop("access attempt"),
    gettext_noop("access attempts"),
    gettext_noop("Access Attempt"),
    gettext_noop("access failure"),
    gettext_noop("access failures"),
    gettext_noop("access log"),
    gettext_noop("access logs"),
    gettext_noop("access attempt expiration"),
    gettext_noop("access attempt expirations"),
    gettext_noop("User Agent"),
    gettext_noop("IP Address"),
    gettext_noop("Username"),
    gettext_noop("HTTP Accept"),
    gettext_noop("Path"),
    gettext_noop("Attempt Time"),
    gettext_noop("Access lock out"),
    gettext_noop("GET Data"),
    gettext_noop("POST Data"),
    gettext_noop("Failed Logins"),
    gettext_noop("Expires At"),
    gettext_noop("The time when access attempt expires and is no longer valid."),
    gettext_noop("Logout Time"),
    gettext_noop("Session key hash (sha256)"),
    # admin: filters, sections, actions, the status column
    gettext_noop("Locked Out"),
    gettext_noop("Yes"),
    gettext_noop("No"),
    gettext_noop("Form Data"),
    gettext_noop("Meta Data"),
    gettext_noop("Clean up expired attempts"),
    gettext_noop("Not set"),
    gettext_noop("Attempt Remaining"),
)
