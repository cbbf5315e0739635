"""Levels: every list and API list as a 市州 office (兰州市司法局) and a 县市区 office (兰州市城关区司法局).

For referrals, recommendations, meetings, decisions and consultations: the page and the API list at
page 1, at a deep page (the office's last page, at most page 200) and with a search, each as the median
and p95 of N requests with its query count. Then the region drill-down: the statistics dashboard for
a year at the province, at a 市州 (the province's office choosing 兰州市, and the 兰州市 office itself) and
at a 县市区.

It calls the real pages and API through Django's full request handler as a logged-in user, so it
measures whatever ``visible_to`` does at the time: the scope rule lives in the domain apps, not here.
The datasets are the other modules' (built when missing), spread over the levels (``bench.tree``).
Run alone with ``python -m bench --only levels``.
"""

from __future__ import annotations

from typing import Any

from bench.runner import Report, build_datasets, client_for, deep_page, get_ok

CITY = "兰州市"
COUNTY = "城关区"
REPEAT = 20
#: (label, page url, API url, page search, API search)
LISTS = [
    ("referrals", "/referrals/all/", "/api/v1/referrals/", "search=借贷", "search=借贷"),
    ("recommendations", "/recommendations/", "/api/v1/recommendations/", "q=法建字", "search=法建字"),
    ("meetings", "/meetings/", "/api/v1/meetings/", "q=第000", "search=第000"),
    ("decisions", "/decisions/", "/api/v1/decisions/", "q=议定事项000", "search=议定事项000"),
    ("consultations", "/consultations/", "/api/v1/consultations/", "q=会商0000", "search=会商0000"),
]
OFFICES = {
    "city": ("bench-office-city", "兰州市司法局"),
    "county": ("bench-office-county", "兰州市城关区司法局"),
}


def ensure_offices() -> None:
    """The office staff of 兰州市 and of 城关区 (their units host the level's office)."""
    from django.contrib.auth.models import Group

    from members.models import MemberUnit, User
    from members.roles import Role

    group = Group.objects.get(name=Role.OFFICE)
    for username, unit_name in OFFICES.values():
        unit = MemberUnit.objects.get(name=unit_name)
        user, created = User.objects.get_or_create(
            username=username, defaults={"name": username, "unit": unit, "password": "!"}
        )
        if created:
            user.groups.add(group)


def _measure(report: Report, name: str, client: Any, url: str, **options: Any) -> None:
    """One measurement; a page that does not answer 200 is reported (and the run goes on)."""
    try:
        report.measure(name, get_ok(client, url), **options)
    except RuntimeError as exc:
        print(f"{name:<58} NOT MEASURED: {exc}", flush=True)


def _lists(report: Report, level: str, client: Any) -> None:
    target = {"target_p95_ms": 50, "target_queries": 10, "repeat": REPEAT}
    for label, page, api, page_search, api_search in LISTS:
        deep = deep_page(client, api, at_most=200)
        count = client.get(api).json()["count"]
        name = f"levels: {level} office"
        _measure(report, f"{name} {label} page 1", client, page, note=f"{count:,} visible", **target)
        _measure(report, f"{name} {label} page {deep}", client, f"{page}?page={deep}", **target)
        _measure(report, f"{name} {label} search", client, f"{page}?{page_search}", **target)
        _measure(report, f"{name} API {label} page 1", client, api, **target)
        _measure(report, f"{name} API {label} page {deep}", client, f"{api}?page={deep}", **target)
        _measure(report, f"{name} API {label} search", client, f"{api}?{api_search}", **target)


def _drill_down(report: Report) -> None:
    from django.test import override_settings
    from django.utils import timezone

    from members.models import Region

    year = timezone.localdate().year - 1
    city = Region.objects.get(name=CITY).pk
    county = Region.objects.get(name=COUNTY, parent_id=city).pk
    province_office = client_for("bench-office")
    city_office = client_for(OFFICES["city"][0])
    base = f"/stats/?period=year&year={year}"
    pages = [
        ("dashboard, one year, province (province office)", province_office, base),
        (f"dashboard, one year, {CITY} (province office)", province_office, f"{base}&region={city}"),
        (f"dashboard, one year, {COUNTY} (province office)", province_office, f"{base}&region={county}"),
        (f"dashboard, one year ({CITY} office)", city_office, base),
        (f"dashboard, one year, {COUNTY} ({CITY} office)", city_office, f"{base}&region={county}"),
    ]
    with override_settings(FUYUAN_STATS_CACHE_SECONDS=0):  # every request aggregates the records again
        for name, client, url in pages:
            _measure(report, f"levels: {name}, no cache", client, url, repeat=5, warmup=1, target_queries=15)


def run(report: Report) -> None:
    from django.db import connection

    build_datasets()
    ensure_offices()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    for level, (username, _unit) in OFFICES.items():
        _lists(report, level, client_for(username))
    _drill_down(report)
