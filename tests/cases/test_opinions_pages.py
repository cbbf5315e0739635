"""The pages of legal opinions: the list (filters, search, sort, paging, export), the detail with its timeline,
the forms (errors in Chinese), the actions (a second answer refused, nothing changed), the home panels, the
statistics (the figures on the summary API and the definitions page) and query counts that do not grow."""

from __future__ import annotations

import io
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook
from rest_framework.test import APIClient

from cases.opinions import services
from cases.opinions.models import Opinion
from tests.cases.opinions_support import answered, ask, notices, snapshot
from tests.conftest import client_for

pytestmark = pytest.mark.django_db
LIST = reverse("opinion-list")
NEW = reverse("opinion-create")
TZ = ZoneInfo("Asia/Shanghai")


def rows(response) -> list[Opinion]:
    return list(response.context["listing"].object_list)


def test_a_liaison_asks_through_the_form_and_reads_it(cast):
    client = client_for(cast.liaison)
    assert client.get(NEW).status_code == 200
    data = {"court": cast.court.pk, "kind": "legal_question", "subject": "表单提出的咨询", "question": "内容"}
    response = client.post(NEW, data)
    opinion = Opinion.objects.get()
    assert response.status_code == 302 and response["Location"] == opinion.get_absolute_url()
    assert opinion.requester == cast.unit and opinion.status == "requested"
    page = client.get(opinion.get_absolute_url())
    assert page.status_code == 200
    assert [e.label for e in page.context["timeline"]] == ["提出咨询", "通知法院:收到咨询"]
    assert page.context["actions"] == {"edit", "withdraw"}


def test_form_errors_are_in_chinese_and_nothing_is_saved(cast):
    client = client_for(cast.liaison)
    response = client.post(NEW, {"court": cast.court.pk, "kind": "normative_document", "subject": "x", "question": "y"})
    assert response.status_code == 200
    assert response.context["form"].errors == {"document_title": ["规范性文件合法性论证须填写文件草案名称。"]}
    response = client.post(NEW, {"kind": "legal_question"})
    required = ["该字段是必填项。"]
    assert response.context["form"].errors == {"court": required, "subject": required, "question": required}
    assert not Opinion.objects.exists()


def test_a_clerk_offers_with_the_answer_and_a_leader_may_not_ask(cast):
    client = client_for(cast.clerk)
    form = client.get(NEW).context["form"]
    assert "court" not in form.fields and "answer" in form.fields
    data = {"requester": cast.unit.pk, "kind": "major_decision", "subject": "主动", "question": "内容"}
    response = client.post(NEW, {**data, "answer": "意见"})
    assert response.status_code == 302
    assert Opinion.objects.get().status == "answered"
    assert client_for(cast.leader).get(NEW).status_code == 403


def test_the_court_answers_on_the_page_and_a_second_answer_changes_nothing(cast):
    opinion = ask(cast.liaison, cast.court)
    url = reverse("opinion-action", args=[opinion.pk, "answer"])
    client = client_for(cast.clerk)
    assert "answer" in client.get(opinion.get_absolute_url()).context["forms"]
    assert client.post(url, {"answer-answer": "答复意见"}).status_code == 302
    before, sent = snapshot(opinion), notices()
    response = client.post(url, {"answer-answer": "第二份答复"}, follow=True)
    assert any("不能再次答复" in str(m) for m in response.context["messages"])
    assert snapshot(opinion) == before and notices() == sent
    assert Opinion.objects.get().answer == "答复意见"


def test_an_empty_answer_shows_the_form_again(cast):
    opinion = ask(cast.liaison, cast.court)
    url = reverse("opinion-action", args=[opinion.pk, "answer"])
    response = client_for(cast.clerk).post(url, {"answer-answer": ""})
    assert response.status_code == 400
    assert Opinion.objects.get().status == "requested"


def test_actions_of_another_unit_are_404_and_change_nothing(cast):
    opinion = ask(cast.liaison, cast.court)
    before = snapshot(opinion)
    for name in ("answer", "withdraw"):
        url = reverse("opinion-action", args=[opinion.pk, name])
        assert client_for(cast.other_clerk).post(url, {"answer-answer": "x"}).status_code == 404
        assert client_for(cast.other_liaison).post(url, {}).status_code == 404
    assert client_for(cast.other_liaison).get(opinion.get_absolute_url()).status_code == 404
    assert client_for(cast.other_liaison).get(reverse("opinion-edit", args=[opinion.pk])).status_code == 404
    assert snapshot(opinion) == before
    assert client_for(cast.clerk).post(reverse("opinion-action", args=[opinion.pk, "oracle"])).status_code == 404


def test_edit_and_withdraw_on_the_page(cast):
    opinion = ask(cast.liaison, cast.court)
    client = client_for(cast.liaison)
    edit = reverse("opinion-edit", args=[opinion.pk])
    assert client.get(edit).status_code == 200
    data = {"court": cast.court.pk, "kind": "legal_question", "subject": "改过的事项", "question": "内容"}
    assert client.post(edit, data).status_code == 302
    assert Opinion.objects.get().subject == "改过的事项"
    assert client_for(cast.clerk).get(edit).status_code == 403
    assert client.post(reverse("opinion-action", args=[opinion.pk, "withdraw"]), {"withdraw-reason": "不需要了"})
    assert Opinion.objects.get().status == "withdrawn"
    assert client.get(edit).status_code == 403


def test_list_filters_search_sort_and_export(cast):
    with time_machine.travel(datetime(2026, 3, 2, 10, 0, tzinfo=TZ), tick=False):
        late = ask(cast.liaison, cast.court, kind="normative_document", document_title="某某办法(草案)")
        done = answered(cast.liaison, cast.court, cast.clerk)
    with time_machine.travel(datetime(2026, 5, 6, 10, 0, tzinfo=TZ), tick=False):
        fresh = ask(cast.other_liaison, cast.other_court)
        client = client_for(cast.office)
        assert {o.pk for o in rows(client.get(LIST))} == {late.pk, done.pk, fresh.pk}
        assert [o.pk for o in rows(client.get(LIST, {"overdue": "1"}))] == [late.pk]
        assert [o.pk for o in rows(client.get(LIST, {"status": "answered"}))] == [done.pk]
        assert [o.pk for o in rows(client.get(LIST, {"kind": "normative_document"}))] == [late.pk]
        assert [o.pk for o in rows(client.get(LIST, {"q": "某某办法"}))] == [late.pk]
        assert [o.pk for o in rows(client.get(LIST, {"court": cast.other_court.pk}))] == [fresh.pk]
        assert [o.pk for o in rows(client.get(LIST, {"from": "2026-04-01"}))] == [fresh.pk]
        assert rows(client.get(LIST, {"sort": "-requested"}))[0].pk == fresh.pk
        assert [o.pk for o in rows(client.get(LIST, {"sort": "due"}))][-1] == fresh.pk
        assert client.get(LIST, {"page": "99", "status": "bogus", "court": "x"}).status_code == 200
        response = client.get(reverse("opinion-export"), {"status": "requested"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0][:3] == ["咨询日期", "咨询单位", "答复法院"]
    assert len(values) == 3 and {v[5] for v in values[1:]} == {late.subject, fresh.subject}
    # A liaison's export holds their unit's opinions only.
    mine = load_workbook(io.BytesIO(client_for(cast.other_liaison).get(reverse("opinion-export")).content)).active
    assert [r[5].value for r in mine.iter_rows(min_row=2)] == [fresh.subject]


def test_list_queries_do_not_grow_with_rows(cast, django_assert_max_num_queries):
    ask(cast.liaison, cast.court)
    for user in (cast.office, cast.clerk, cast.liaison):
        client = client_for(user)
        client.get(LIST)
        with django_assert_max_num_queries(14) as few:
            assert client.get(LIST, {"q": "咨询"}).status_code == 200
        for _ in range(5):
            answered(cast.liaison, cast.court, cast.clerk)
        with django_assert_max_num_queries(14) as many:
            assert client.get(LIST, {"q": "咨询"}).status_code == 200
        assert len(many.captured_queries) == len(few.captured_queries)


def test_home_panels_court_to_answer_and_requester_answers(cast):
    waiting = ask(cast.liaison, cast.court)
    done = answered(cast.liaison, cast.court, cast.clerk)

    def panel(user, template):
        response = client_for(user).get(reverse("home"))
        assert response.status_code == 200
        found = [p.context for p in response.context["panels"] if p.template == template]
        return found[0] if found else None

    to_answer = panel(cast.clerk, "cases/opinions/_to_answer.html")
    assert [o.pk for o in to_answer["rows"]] == [waiting.pk]
    assert 'data-testid="opinions-to-answer"' in client_for(cast.clerk).get(reverse("home")).content.decode()
    received = panel(cast.liaison, "cases/opinions/_answers.html")
    assert [o.pk for o in received["rows"]] == [done.pk]
    assert panel(cast.other_liaison, "cases/opinions/_answers.html") is None
    assert panel(cast.other_clerk, "cases/opinions/_to_answer.html")["rows"] == []


def test_figures_on_the_summary_api_and_the_definitions_page(cast):
    with time_machine.travel(datetime(2026, 3, 2, 10, 0, tzinfo=TZ), tick=False):
        ask(cast.liaison, cast.court)  # overdue by May: owed, not given
        answered(cast.liaison, cast.court, cast.clerk)  # on time
        late = ask(cast.liaison, cast.court)
        withdrawn = ask(cast.liaison, cast.court)
        services.opinion_withdraw(opinion=withdrawn, by=cast.liaison)
        ask(cast.liaison, cast.court, due=datetime(2026, 6, 30).date())  # not yet owed
    with time_machine.travel(datetime(2026, 4, 1, 10, 0, tzinfo=TZ), tick=False):
        services.opinion_answer(opinion=late, by=cast.clerk, answer="迟到的答复")
    with time_machine.travel(datetime(2026, 5, 6, 10, 0, tzinfo=TZ), tick=False):
        api = APIClient()
        api.force_authenticate(cast.office)
        response = api.get("/api/v1/stats/summary/", {"from": "2026-01-01", "to": "2026-12-31"})
        assert response.status_code == 200, response.content
        figures = response.json()["figures"]
        html = client_for(cast.liaison).get(reverse("stats-definitions")).content.decode()
    assert figures["opinions_requested"]["value"] == 4
    assert figures["opinions_given"]["value"] == 2
    assert figures["opinions_given_on_time"]["value"] == 1
    rate = figures["opinion_on_time_rate"]
    assert (rate["numerator"], rate["denominator"], rate["rate"]) == (1, 3, 33.33)
    assert "咨询意见按期答复率" in html and "按期答复的咨询件数" in html
    empty = api.get("/api/v1/stats/summary/", {"from": "2020-01-01", "to": "2020-12-31"}).json()["figures"]
    assert (empty["opinion_on_time_rate"]["denominator"], empty["opinion_on_time_rate"]["rate"]) == (0, None)


def test_admin_lists_and_keeps_the_history_read_only(cast):
    from django_celery_beat.models import PeriodicTask

    from members.roles import ensure_roles

    ensure_roles()
    opinion = answered(cast.liaison, cast.court, cast.clerk)
    client = client_for(cast.admin)
    assert client.get(reverse("admin:cases_opinion_changelist"), {"overdue": "1"}).status_code == 200
    change = client.get(reverse("admin:cases_opinion_change", args=[opinion.pk]))
    assert change.status_code == 200
    assert "answer" not in change.context["adminform"].form.fields  # the lifecycle is read-only here
    history = client.get(reverse("admin:cases_opinion_history", args=[opinion.pk]))
    assert history.status_code == 200
    assert {h.history_change_reason for h in history.context["page_obj"]} >= {"requested", "answered"}
    assert client.get(reverse("admin:cases_opinion_add")).status_code == 403
    assert PeriodicTask.objects.filter(task="cases.scan_opinion_alerts").exists()
