"""Page fragments kept rendered: the parts of a page that are the same for every reader of a language and scope.

A list page's filter bar (its labels, the choices of its selects, the chosen values) depends on the language,
on what the reader's scope offers (the regions within their reach, the units a picker searches) and on the
query string; not on who the reader is beyond that. Rendering it costs a few milliseconds and, for its
choices, queries; it is kept in the ``fragments`` cache (``settings.CACHES``: the process's memory) under a
key made of exactly those inputs. Templates use ``{% fragment "name" key %}…{% endfragment %}``
(``members/templatetags/fy.py``), which adds the language to the key itself, so that no fragment can be
served in another language than the one it was rendered in.

Only what the key names may vary inside a fragment: anything that depends on the reader's roles or
permissions, or on data that must show at once (a count, a status), stays outside, or goes into the key.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.base import BaseCache
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.utils import make_template_fragment_key
from django.utils.translation import get_language

ALIAS = "fragments"


#: Where fragments go when ``settings.CACHES`` names no ``fragments`` cache (settings of one's own): this process's
#: memory, for the default 300 s.
_FALLBACK = LocMemCache("fuyuan-fragments-fallback", {"TIMEOUT": 300, "OPTIONS": {"MAX_ENTRIES": 1000}})


def store() -> BaseCache:
    return caches[ALIAS] if ALIAS in settings.CACHES else _FALLBACK


def values_key(data: Mapping[str, Any], names: Iterable[str]) -> str:
    """The part of a fragment's key that holds the query string's ``names`` (all their values, in order)."""
    getlist = getattr(data, "getlist", None)
    parts = []
    for name in names:
        values = getlist(name) if getlist is not None else [data.get(name, "")]
        parts.append(f"{name}={'|'.join(str(v) for v in values)}")
    return "&".join(parts)


def fragment_key(name: str, *vary_on: Any) -> str:
    """The cache key of fragment ``name`` in the current language (what ``{% fragment %}`` reads and writes)."""
    return make_template_fragment_key(name, [get_language() or "", *vary_on])
