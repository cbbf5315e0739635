"""The header search: one term looked up in every kind of record, each through its own scope.

Every kind starts from its app's ``visible_to(user)`` (units: the directory every signed-in user reads)
and applies the ``q`` filter of its own list page, so a group's "查看全部" link opens that list filtered
by the same term and shows the same records (the library: ``library.search.matching``, its Chinese
full-text search, over ``library.selectors.visible_to``). Each kind costs the same few queries whatever the number
of rows: its first ``LIMIT`` rows (newest first) and a count that stops at ``COUNT_CAP``. The text
columns searched have trigram indexes on PostgreSQL (cases 0003 and 0092, meetings' search indexes).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import Model, QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils.formats import date_format
from django.utils.text import Truncator
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _

from cases.recommendations import selectors as recommendations
from cases.recommendations.filters import RecommendationFilter
from cases.referrals import selectors as referrals
from cases.referrals.filters import ReferralFilter
from library import search as library_search
from library import selectors as library
from meetings.consultations import selectors as consultations
from meetings.consultations.filters import ConsultationPageFilter
from meetings.decisions import selectors as decisions
from meetings.decisions.filters import DecisionPageFilter
from meetings.meetings import selectors as meetings
from meetings.meetings.filters import MeetingPageFilter
from members import selectors as members
from members.models import User

#: The longest term looked up (the lists' own filters stop there too).
MAX_LENGTH = 100
#: Rows shown per kind, and where a kind's count stops ("100+").
LIMIT = 5
COUNT_CAP = 100
#: PostgreSQL's SQLSTATE of a statement cancelled by ``statement_timeout``.
QUERY_CANCELED = "57014"


@dataclass(frozen=True)
class Hit:
    title: str
    detail: str
    url: str


@dataclass(frozen=True)
class Link:
    label: str
    url: str  # the kind's list page filtered by the term


@dataclass
class Group:
    kind: str
    label: str
    count: int
    capped: bool
    hits: list[Hit]
    links: list[Link] = field(default_factory=list)
    timed_out: bool = False  # the kind took longer than FUYUAN_SEARCH_KIND_TIMEOUT_MS: nothing shown


@dataclass(frozen=True)
class Kind:
    code: str
    label: Any
    matching: Callable[[User, str], QuerySet[Any]]
    related: tuple[str, ...]
    hit: Callable[[Any], Hit]
    links: Callable[[User, str], list[Link]]
    order: tuple[str, ...] = ("-pk",)  # the newest first; units in the directory's order


def clean_term(raw: str | None) -> str:
    """The term as searched: surrounding and repeated spaces dropped, NUL removed, at most ``MAX_LENGTH``."""
    return " ".join((raw or "").replace("\x00", "").split())[:MAX_LENGTH]


def _list_url(name: str, term: str, **extra: str) -> str:
    return f"{reverse(name)}?{urlencode({'q': term, **extra})}"


def _all(name: str, **extra: str) -> Callable[[User, str], list[Link]]:
    return lambda user, term: [Link(str(_("查看全部")), _list_url(name, term, **extra))]


def _referral_links(user: User, term: str) -> list[Link]:
    """The box that holds every referral the user reads: "all", or for a unit's people their inbox and sent box."""
    if referrals.reads_beyond_unit(user):
        return [Link(str(_("查看全部")), _list_url("referral-all", term))]
    if not user.unit_id:
        return []
    return [
        Link(str(_("查看收到的")), _list_url("referral-inbox", term)),
        Link(str(_("查看发出的")), _list_url("referral-sent", term)),
    ]


def _library_links(user: User, term: str) -> list[Link]:
    try:
        return [Link(str(_("查看全部")), _list_url("library-list", term))]
    except NoReverseMatch:  # the library's pages are not installed
        return []


def _document_url(document: Any) -> str:
    try:
        return str(document.get_absolute_url())
    except NoReverseMatch:
        return ""


def _day(value: Any) -> str:
    return date_format(localtime(value) if hasattr(value, "tzinfo") else value, "Y-m-d") if value else ""


def _join(*parts: Any) -> str:
    return " · ".join(str(p) for p in parts if p)


def _url(name: str, obj: Model) -> str:
    return reverse(name, args=[obj.pk])


KINDS: tuple[Kind, ...] = (
    Kind(
        "recommendation",
        _("司法建议"),
        lambda user, term: RecommendationFilter({"q": term}, recommendations.visible_to(user)).qs,
        ("court", "addressee"),
        lambda r: Hit(r.title, _join(r.number, r.case_number, r.court.display_name), _url("recommendation-detail", r)),
        _all("recommendation-list"),
    ),
    Kind(
        "referral",
        _("案件移送"),
        lambda user, term: ReferralFilter({"q": term}, referrals.visible_to(user)).qs,
        ("sender", "receiver"),
        lambda r: Hit(
            r.subject,
            _join(r.case_number, f"{r.sender.display_name} → {r.receiver.display_name}"),
            _url("referral-detail", r),
        ),
        _referral_links,
    ),
    Kind(
        "meeting",
        _("联席会议"),
        lambda user, term: MeetingPageFilter({"q": term}, queryset=meetings.visible_to(user)).qs,
        ("convener",),
        lambda m: Hit(
            m.title, _join(_day(m.starts_at), m.location, m.convener.display_name), _url("meeting-detail", m)
        ),
        _all("meeting-list"),
    ),
    Kind(
        "consultation",
        _("会商"),
        lambda user, term: ConsultationPageFilter({"q": term}, queryset=consultations.visible_to(user)).qs,
        ("logging_unit",),
        lambda c: Hit(
            c.topic, _join(c.case_number, _day(c.held_on), c.logging_unit.display_name), _url("consultation-detail", c)
        ),
        _all("consultation-list"),
    ),
    Kind(
        "decision",
        _("议定事项"),
        lambda user, term: DecisionPageFilter({"q": term}, queryset=decisions.visible_to(user)).qs,
        ("owner_unit",),
        lambda d: Hit(
            Truncator(d.text).chars(80), _join(d.owner_unit.display_name, _day(d.due)), _url("decision-detail", d)
        ),
        _all("decision-list", status=""),  # every status, not only the open ones the list shows first
    ),
    Kind(
        "library",
        _("共享文件"),
        lambda user, term: library_search.matching(library.visible_to(user), term),
        ("publisher_unit",),
        lambda d: Hit(
            d.title,
            _join(d.get_type_display(), d.number or d.case_number, d.issuing_unit, _day(d.issued_on)),
            _document_url(d),
        ),
        _library_links,
    ),
    Kind(
        "unit",
        _("单位"),
        lambda user, term: members.unit_directory(search=term),
        ("region",),
        lambda u: Hit(
            u.name, _join(u.kind_label, u.region.name if u.region_id else u.level_label), _url("unit-detail", u)
        ),
        _all("unit-list"),
        order=("order", "pk"),
    ),
)
KIND_CODES = tuple(kind.code for kind in KINDS)


def search(*, user: User, term: str, kinds: tuple[str, ...] = KIND_CODES, limit: int = LIMIT) -> list[Group]:
    """Each kind's newest ``limit`` records matching ``term`` within ``user``'s scope, with a capped count.

    An empty term finds nothing (and costs no query). Two queries per kind (three for recommendations,
    whose filter first looks up the units named by the term). On PostgreSQL each kind may take at most
    ``FUYUAN_SEARCH_KIND_TIMEOUT_MS``: a term of one or two characters cannot use the trigram indexes and,
    when it matches few rows of a large table, would read all of it; that kind is then marked
    ``timed_out`` (its list, searched by the same term, pages through it instead).
    """
    term = clean_term(term)
    if not term:
        return []
    wanted = [kind for kind in KINDS if kind.code in kinds]
    with transaction.atomic(), _time_limit(settings.FUYUAN_SEARCH_KIND_TIMEOUT_MS):
        return [_group(kind, user=user, term=term, limit=limit) for kind in wanted]


class _time_limit:  # a context manager, used like one
    """``SET LOCAL statement_timeout`` on PostgreSQL for the enclosing transaction, then back to the default."""

    def __init__(self, milliseconds: int) -> None:
        self.sql = f"SET LOCAL statement_timeout = {int(milliseconds)}" if connection.vendor == "postgresql" else ""

    def __enter__(self) -> None:
        if self.sql:
            with connection.cursor() as cursor:
                cursor.execute(self.sql)

    def __exit__(self, *exc: object) -> None:
        if self.sql and not connection.needs_rollback:
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL statement_timeout TO DEFAULT")


def _group(kind: Kind, *, user: User, term: str, limit: int) -> Group:
    group = Group(kind=kind.code, label=str(kind.label), count=0, capped=False, hits=[], links=kind.links(user, term))
    try:
        with transaction.atomic():  # a savepoint: a cancelled query leaves the other kinds' transaction usable
            qs = kind.matching(user, term)
            group.hits = [kind.hit(obj) for obj in qs.select_related(*kind.related).order_by(*kind.order)[:limit]]
            if len(group.hits) < limit:
                count = len(group.hits)  # all of them are here: no count to run
            else:
                count = qs.order_by().values("pk")[: COUNT_CAP + 1].count()
    except DatabaseError as exc:
        cause = exc.__cause__
        if (getattr(cause, "pgcode", None) or getattr(cause, "sqlstate", None)) != QUERY_CANCELED:
            raise
        group.hits, group.timed_out = [], True
        return group
    group.count, group.capped = min(count, COUNT_CAP), count > COUNT_CAP
    return group
