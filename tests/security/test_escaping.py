"""Markup typed into any free-text field comes back escaped on every page, in every email's HTML part,
and as plain text in the email's text part (see tests/security/hostile.py for the fields)."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from members import services as member_services
from members.models import Notification
from tests.conftest import Cast, client_for
from tests.security import hostile
from tests.security.test_permission_matrix import page_patterns

pytestmark = [pytest.mark.security, pytest.mark.django_db]

# Entities that would show in a plain-text email (or subject) if it had gone through HTML escaping.
ENTITIES = ("&lt;", "&gt;", "&quot;", "&#x27;", "&amp;")


# Fields that no page shows (they are kept for the API and the admin); the raw-markup check above
# still covers every page.
NOT_ON_PAGES = {
    "pn": "a proposed topic's note",
    "mc": "a unit's comment when it confirms the minutes",
}


@pytest.fixture
def world(cast: Cast, settings: Any, tmp_path: Any) -> hostile.HostileWorld:
    settings.MEDIA_ROOT = tmp_path
    return hostile.build(cast)


def _pages(w: hostile.HostileWorld) -> list[str]:
    """Every page without arguments, and the detail and edit pages of each hostile object."""
    urls = [reverse(name) for name, args in page_patterns() if not args]
    o = w.objects
    for name, objects in (
        ("recommendation-detail", [o["recommendation"], o["recommendation-withdrawn"]]),
        ("recommendation-edit", [o["recommendation"]]),
        ("referral-detail", [o["referral"], o["referral-returned"], o["referral-revoked"]]),
        ("referral-edit", [o["referral-returned"]]),
        ("meeting-detail", [o["meeting"], o["meeting-cancelled"]]),
        ("meeting-edit", [o["meeting"]]),
        ("decision-create", [o["meeting"]]),
        ("decision-detail", [o["decision"], o["decision-done"]]),
        ("decision-edit", [o["decision"]]),
        ("consultation-detail", [o["consultation"]]),
        ("consultation-edit", [o["consultation"]]),
        ("unit-detail", [w.cast.unit, o["sub_unit"]]),
        ("liaison-add", [w.cast.unit]),
    ):
        urls += [reverse(name, args=[obj.pk]) for obj in objects]
    return urls


def _fetch_html(client: Client, url: str) -> str | None:
    response = client.get(url, follow=True)
    assert response.status_code < 500, url
    if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
        return None
    return response.content.decode()


def _raw_markup(body: str) -> list[str]:
    lowered = body.lower()
    return [m for m in hostile.RAW_MARKERS if m.lower() in lowered]


def test_every_page_shows_every_field_escaped_and_never_raw(world: hostile.HostileWorld) -> None:
    """Each page, for the office, the addressee's liaison and the court's clerk: no raw markup, nothing
    escaped twice; and each hostile field appears, escaped once, on at least one page."""
    cast = world.cast
    bodies: dict[str, str] = {}
    problems = []
    for user in (cast.office, cast.liaison, cast.clerk):
        client = client_for(user)
        for url in _pages(world):
            body = _fetch_html(client, url)
            if body is None:
                continue
            bodies[f"{user.username} {url}"] = body
            if raw := _raw_markup(body):
                problems.append(f"{user.username} {url}: raw {raw}")
            if "&amp;lt;" in body or "&amp;quot;" in body:
                problems.append(f"{user.username} {url}: escaped twice")
    assert len(bodies) > 60
    assert not problems, "\n".join(problems)
    everything = "\n".join(bodies.values())
    unseen = [
        tag
        for tag, text in world.texts.items()
        if hostile.marker(text, tag) not in everything and tag not in NOT_ON_PAGES
    ]
    assert not unseen, f"fields shown on no page (or not escaped the Django way): {unseen}"


def test_search_box_echoes_the_typed_markup_escaped(world: hostile.HostileWorld) -> None:
    """The list pages put the search term back into the search box: escaped, as an attribute value."""
    term = hostile.payload("q")
    client = client_for(world.cast.office)
    for name in (
        "recommendation-list",
        "referral-all",
        "meeting-list",
        "decision-list",
        "consultation-list",
        "unit-list",
    ):
        body = _fetch_html(client, reverse(name) + "?" + _query({"q": term, "search": term}))
        assert body is not None, name
        assert not _raw_markup(body), name
        assert hostile.marker(term, "q") in body, f"{name} does not echo the search term"


def _query(params: dict[str, str]) -> str:
    from urllib.parse import urlencode

    return urlencode(params)


def test_chart_data_block_cannot_close_its_script_element(world: hostile.HostileWorld) -> None:
    """The dashboard's JSON for the charts (``json_script``) holds the unit's short name (the chart
    label) with ``<`` escaped, so a name containing ``</script>`` cannot end the block; parsed back,
    it is the name as typed."""
    body = _fetch_html(client_for(world.cast.office), reverse("dashboard") + "?period=year")
    assert body is not None
    block = re.search(r'<script id="stats-charts" type="application/json">(.*?)</script>', body, re.S)
    assert block is not None
    assert "<" not in block.group(1)
    assert world.texts["us"] in json.loads(block.group(1))["by_unit"]["labels"]


def _deliver_all() -> list[Any]:
    mail.outbox.clear()
    for pk in Notification.objects.filter(email_status=Notification.EmailStatus.PENDING).values_list("pk", flat=True):
        member_services.notification_deliver(notification_id=pk)
    return list(mail.outbox)


def test_emails_keep_text_verbatim_and_escape_their_html_part(world: hostile.HostileWorld) -> None:
    """Every notice's email: a one-line subject and a text part with the typed text as typed (no HTML
    entities), an HTML part with it escaped once and no raw markup; the inbox shows it escaped once."""
    messages = _deliver_all()
    assert len(messages) >= 10
    seen: set[str] = set()
    problems = []
    for message in messages:
        subject, text = message.subject, message.body
        html = next(content for content, mimetype in message.alternatives if mimetype == "text/html")
        where = f"{subject!r}"
        if "\n" in subject or "\r" in subject:
            problems.append(f"{where}: subject has a line break")
        for entity in ENTITIES:
            if entity in subject or entity in text:
                problems.append(f"{where}: {entity} in the text part or subject")
        if raw := _raw_markup(html):
            problems.append(f"{where}: raw {raw} in the HTML part")
        if "&amp;lt;" in html:
            problems.append(f"{where}: escaped twice in the HTML part")
        for tag, typed in world.texts.items():
            if hostile.raw_marker(typed, tag) in text + subject:
                seen.add(tag)
                if hostile.marker(typed, tag) not in html:
                    problems.append(f"{where}: {tag} is not in the HTML part, escaped once")
    assert not problems, "\n".join(problems)
    # The notices name the record: the meeting, the recommendation's number, the referral's case
    # number, the decision's text, the unit.
    assert {"mt", "mt2", "rn", "fc", "dt", "un"} <= seen, seen
