"""Every relation of the API starts from the user's scope (issue 12, findings 1 and 8).

The relations are found, not listed (tests/security/relations.py): each serializer field and filter that
points at a scoped model (one with ``visible_to``) accepts and offers only what the user may see, so an id
outside the scope is refused exactly as a missing one; the public directory (units, tasks, regions, referral
kinds) is not scoped, active units only where the service needs an active one. A new relation to a model
that is neither scoped nor public fails ``test_every_relation_is_scoped_or_public``.
"""

from __future__ import annotations

from io import BytesIO
from typing import Any

import pytest
from django.http import HttpRequest
from django.test import Client, RequestFactory
from django.urls import reverse
from openpyxl import load_workbook
from rest_framework.renderers import HTMLFormRenderer

from meetings.consultations import services as consultation_services
from meetings.consultations.api import ConsultationSerializer
from meetings.consultations.filters import ConsultationFilter
from meetings.decisions.api import DecisionSerializer
from meetings.decisions.filters import DecisionFilter
from meetings.models import Consultation, Meeting
from members.models import User
from tests.conftest import Cast, client_for
from tests.factories import UnitFactory
from tests.security import world
from tests.security.relations import (
    ACTIVE_ONLY,
    PUBLIC_DIRECTORY,
    Relation,
    filter_relations,
    scope_of,
    serializer_classes,
    serializer_relations,
)

pytestmark = [pytest.mark.security, pytest.mark.django_db]

ROLES = ("liaison", "clerk", "office")


@pytest.fixture
def sides(cast: Cast, settings: Any, tmp_path: Any) -> dict[str, world.Side]:
    settings.MEDIA_ROOT = tmp_path
    UnitFactory(name="已撤销局", active=False)
    return world.build(cast)


def request_of(user: User) -> HttpRequest:
    request = RequestFactory().get("/")
    request.user = user
    return request


def relations(user: User) -> list[Relation]:
    request = request_of(user)
    return serializer_relations(request) + filter_relations(request)


def pks(qs: Any) -> set[int]:
    return set(qs.values_list("pk", flat=True))


def missing_pk(model: Any) -> int:
    return max(pks(model.objects.all()) | {0}) + 1000


def out_of_scope_pk(model: Any, user: User) -> int:
    pk = model.objects.exclude(pk__in=scope_of(model)(user).values("pk")).values_list("pk", flat=True).first()
    assert pk is not None, f"the world holds no {model.__name__} outside the scope of {user}"
    return pk


# --- every relation is classified, and its choices are within the scope ---------------------------------------


def test_every_relation_is_scoped_or_public(cast: Cast) -> None:
    found = relations(cast.liaison)
    unclassified = [str(r) for r in found if scope_of(r.model) is None and r.model not in PUBLIC_DIRECTORY]
    assert not unclassified, "relations to a model neither scoped (visible_to) nor public directory:\n" + "\n".join(
        unclassified
    )
    names = {str(r) for r in found}
    # The walk reaches what issue 12 found, writable and read-only, nested and in actions.
    for known in (
        "ConsultationSerializer.meeting -> Meeting",
        "DecisionSerializer.meeting -> Meeting",
        "ConsultationFilter.meeting -> Meeting",
        "DecisionFilter.meeting -> Meeting",
        "ConsultationSerializer.logging_unit -> MemberUnit",
        "MeetingSerializer.agenda.presenter_unit -> MemberUnit",
        "ReferralSerializer.kind -> ReferralKind",
        "ForwardSerializer.sub_unit -> MemberUnit",
    ):
        assert known in names, known
    assert {name for _o, name in ACTIVE_ONLY} <= {r.name for r in found}


@pytest.mark.parametrize("role", ROLES)
def test_relation_choices_are_within_the_users_scope(cast: Cast, sides: dict[str, world.Side], role: str) -> None:
    user = {"liaison": cast.liaison, "clerk": cast.clerk, "office": cast.office}[role]
    request = request_of(user)
    problems = []
    for relation in relations(user):
        if getattr(relation.field, "read_only", False):
            continue  # a read-only field offers no choice; its target is classified above
        offered = relation.choices(request)
        scope = scope_of(relation.model)
        if scope is not None and not pks(offered) <= pks(scope(user)):
            problems.append(f"{relation}: offers {sorted(pks(offered) - pks(scope(user)))} outside the scope")
        if (relation.owner, relation.name) in ACTIVE_ONLY and offered.filter(active=False).exists():
            problems.append(f"{relation}: offers inactive units")
    assert not problems, "\n".join(problems)
    if role != "office":  # non-vacuous: the world has meetings this user may not see
        assert out_of_scope_pk(Meeting, user)


# --- an id outside the scope answers as a missing one ------------------------------------------------------------


def _list_urls() -> dict[str, str]:
    from fuyuan.api_urls import router

    return {viewset.serializer_class.__name__: reverse(f"api:{b}-list") for _p, viewset, b in router.registry}


def _scoped(found: list[Relation]) -> list[Relation]:
    return [r for r in found if scope_of(r.model) is not None]


@pytest.mark.parametrize("role", ("liaison", "clerk"))
def test_an_id_outside_the_scope_is_refused_as_a_missing_one(
    cast: Cast, sides: dict[str, world.Side], role: str
) -> None:
    user = cast.liaison if role == "liaison" else cast.clerk
    client = client_for(user)
    request = request_of(user)
    urls = _list_urls()
    checked = []
    for relation in _scoped(filter_relations(request)):
        if relation.list_url is None:
            continue
        out, missing = out_of_scope_pk(relation.model, user), missing_pk(relation.model)
        answers = [client.get(relation.list_url, {relation.name: pk}) for pk in (out, missing)]
        assert answers[0].status_code == 400, (str(relation), answers[0].content[:300])
        assert (answers[0].status_code, answers[0].json()) == (answers[1].status_code, answers[1].json()), relation
        checked.append(str(relation))
    for relation in _scoped(serializer_relations(request)):
        if not relation.writable:
            continue
        assert relation.owner in urls, f"{relation}: add a write case for this serializer"
        out, missing = out_of_scope_pk(relation.model, user), missing_pk(relation.model)
        owner_model = next(c for c in serializer_classes() if c.__name__ == relation.owner).Meta.model
        before = owner_model.objects.count()
        bodies = []
        for pk in (out, missing):
            value = [pk] if relation.many else pk
            answer = client.post(urls[relation.owner], {relation.name: value}, content_type="application/json")
            assert answer.status_code == 400 and relation.name in answer.json(), (str(relation), answer.content[:300])
            bodies.append((answer.status_code, answer.content.decode().replace(str(pk), "<id>")))
        assert bodies[0] == bodies[1], relation
        assert owner_model.objects.count() == before
        checked.append(str(relation))
    assert {
        "ConsultationFilter.meeting -> Meeting",
        "DecisionFilter.meeting -> Meeting",
        "ConsultationSerializer.meeting -> Meeting",
        "DecisionSerializer.meeting -> Meeting",
    } <= set(checked)


def test_finding1_meeting_filter_does_not_tell_out_of_scope_from_missing(
    cast: Cast, sides: dict[str, world.Side]
) -> None:
    client = client_for(cast.liaison)
    other, missing = sides["other"].pk("meeting"), missing_pk(Meeting)
    for path in ("/api/v1/consultations/", "/api/v1/decisions/"):
        out_of_scope = client.get(path, {"meeting": other})
        absent = client.get(path, {"meeting": missing})
        assert out_of_scope.status_code == absent.status_code == 400
        assert out_of_scope.json() == absent.json()
        assert client.get(path, {"meeting": sides["own"].pk("meeting")}).status_code == 200


def test_finding1_browsable_forms_list_no_meeting_outside_the_scope(cast: Cast, sides: dict[str, world.Side]) -> None:
    request = request_of(cast.liaison)
    own, other = sides["own"].objects["meeting"].title, sides["other"].objects["meeting"].title
    for serializer_class in (ConsultationSerializer, DecisionSerializer):
        serializer = serializer_class(context={"request": request})
        html = HTMLFormRenderer().render(serializer.data, renderer_context={"request": request})
        assert own in html and other not in html, serializer_class.__name__
        labels = [str(label) for label in serializer.fields["meeting"].get_choices().values()]
        assert own in labels and other not in labels
    for filterset_class in (ConsultationFilter, DecisionFilter):
        choices = [str(label) for _v, label in filterset_class(request=request).form.fields["meeting"].choices]
        assert own in choices and other not in choices, filterset_class.__name__


# --- finding 8: a consultation names its meeting only to those who may see it ------------------------------------


def _export_text(client: Client) -> str:
    response = client.get(reverse("consultation-export"))
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(b"".join(response.streaming_content if response.streaming else [response.content])))
    return "\n".join(str(cell.value) for row in sheet.active.iter_rows() for cell in row if cell.value is not None)


def test_finding8_consultation_hides_out_of_scope_meeting_title(cast: Cast, sides: dict[str, world.Side]) -> None:
    hidden = sides["other"].objects["meeting"]  # convened by the office, the other side invited
    consultation = consultation_services.consultation_log(
        by=cast.office,
        topic_kind=Consultation.TopicKind.ROUTINE,
        held_on=sides["own"].objects["consultation"].held_on,
        units=[cast.unit, cast.court],
        topic="会商关联他方会议",
        meeting=hidden,
    )
    meeting_link = reverse("meeting-detail", args=[hidden.pk])
    for user in (cast.liaison, cast.clerk):
        client = client_for(user)
        assert client.get(reverse("meeting-detail", args=[hidden.pk])).status_code == 404
        for url in (reverse("consultation-detail", args=[consultation.pk]), reverse("consultation-list")):
            page = client.get(url).content.decode()
            assert "会商关联他方会议" in page and hidden.title not in page and meeting_link not in page, url
        assert hidden.title not in _export_text(client)
        api = client.get(f"/api/v1/consultations/{consultation.pk}/")
        assert api.json()["meeting"] is None and hidden.title not in api.content.decode()
        listed = client.get("/api/v1/consultations/").json()["results"]
        assert [row["meeting"] for row in listed if row["id"] == consultation.pk] == [None]
    # Who may see the meeting sees the link, the title and the id.
    office = client_for(cast.office)
    page = office.get(reverse("consultation-detail", args=[consultation.pk])).content.decode()
    assert hidden.title in page and meeting_link in page
    assert hidden.title in _export_text(office)
    assert office.get(f"/api/v1/consultations/{consultation.pk}/").json()["meeting"] == hidden.pk
