"""A court clerk's week in real Chromium: issue a judicial recommendation, follow it through the inbox,
close it after the unit's reply; import mediation delegations from the XLSX template (issue 14, item 6).

The other side's steps (the unit acknowledging and replying) are set up with the services: the liaison's
own journey drives them through the browser (tests/e2e/test_liaison_week.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from cases.models import JudicialRecommendation, Party, Referral, ReferralImport
from cases.recommendations import services as recommendation_services
from cases.referrals import intake
from cases.referrals.tasks import run_referral_import
from fuyuan.celery import app as celery_app
from members.models import Notification
from tests.cases.referrals.support import ID, PHONE, joined_days_ago
from tests.conftest import Cast
from tests.e2e.helpers import click_and_confirm, sign_in
from tests.e2e.pickers import pick_unit
from tests.factories import UnitFactory

SH = ZoneInfo("Asia/Shanghai")
TUESDAY = datetime(2026, 3, 10, 9, 30, tzinfo=SH)
NUMBER = "(2026)测中法建字第12号"


def open_notice(page: Page, subject: str) -> None:
    """Open the inbox from the header's bell and the notice with this subject (it leads to the record)."""
    page.locator("a[href='/inbox/']").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("通知")
    page.get_by_role("link", name=subject).click()


@pytest.mark.django_db(transaction=True)
def test_clerk_issues_follows_and_closes_a_recommendation(
    live_server: Any, page: Page, cast: Cast, settings: Any, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    signed = tmp_path / "司法建议书.pdf"
    signed.write_bytes(b"%PDF-1.7\n% the signed recommendation\n%%EOF\n")
    with time_machine.travel(TUESDAY, tick=True):
        sign_in(page, live_server.url, "clerk")
        page.get_by_role("link", name="司法建议").first.click()
        page.get_by_role("link", name="起草司法建议").click()
        page.fill("input[name=number]", NUMBER)
        page.fill("input[name=case_number]", "(2026)测01行初12号")
        pick_unit(page, "addressee", cast.unit.short_name, cast.unit.name)
        page.fill("input[name=title]", "关于规范行政许可听证程序的司法建议")
        page.fill("textarea[name=problem]", "许可决定作出前未告知听证权利。")
        page.fill("textarea[name=recommendation]", "建议完善听证告知程序。")
        page.set_input_files("input[name=attachments]", str(signed))
        page.get_by_role("button", name="保存草稿").click()
        expect(page.get_by_test_id("status")).to_have_text("草稿")
        expect(page.get_by_role("link", name="司法建议书.pdf")).to_be_visible()

        click_and_confirm(page, page.get_by_test_id("action-issue").get_by_role("button", name="发出"))
        expect(page.get_by_test_id("status")).to_have_text("已发出")
        expect(page.get_by_test_id("action-close")).to_have_count(0)  # nothing to close before the reply
        rec = JudicialRecommendation.objects.get(number=NUMBER)
        assert rec.status == "issued" and rec.issued_on == TUESDAY.date() and rec.issued_by == cast.clerk

        # The unit acknowledges: the clerk hears of it in the inbox and sees the reply clock running.
        recommendation_services.recommendation_acknowledge(recommendation=rec, by=cast.liaison)
        open_notice(page, f"司法建议已签收:{NUMBER}")
        expect(page.get_by_test_id("status")).to_have_text("已签收")
        expect(page.get_by_test_id("reply-due")).to_contain_text("2026-05-")  # two months from the receipt

        # The unit replies (not adopted, with its reason: nothing to rectify), and the clerk finds it among
        # the replied ones and closes it. (An adopting reply goes on to rectification and a visit:
        # tests/e2e/test_recommendation_followthrough_journey.py.)
        rec.refresh_from_db()
        recommendation_services.recommendation_reply(
            recommendation=rec,
            by=cast.liaison,
            outcome="not_adopted",
            content="经研究,暂不采纳,修订听证告知文书。",
            reason="听证告知文书已按新规定修订。",
        )
        page.get_by_role("link", name="司法建议").first.click()
        page.locator("select[name=status]").select_option(label="已回复")
        page.get_by_role("button", name="筛选").click()
        page.get_by_role("link", name=NUMBER).click()
        expect(page.get_by_text("经研究,暂不采纳,修订听证告知文书。")).to_be_visible()
        page.get_by_test_id("action-close").locator("textarea").fill("回复及时,整改到位。")
        click_and_confirm(page, page.get_by_test_id("action-close").get_by_role("button", name="办结"))
        expect(page.get_by_test_id("status")).to_have_text("已办结")
        expect(page.get_by_text("回复及时,整改到位。")).to_be_visible()

    rec.refresh_from_db()
    assert rec.status == "closed" and rec.assessment == "回复及时,整改到位。" and rec.reply_outcome == "not_adopted"
    assert list(rec.attachments.values_list("name", "part")) == [("司法建议书.pdf", "recommendation")]
    # The unit's liaison is told it is closed; the clerk read the two notices it opened.
    assert Notification.objects.filter(recipient=cast.liaison, event="recommendation.closed").count() == 1
    assert not Notification.objects.filter(recipient=cast.clerk, read_at__isnull=True, event__endswith="acknowledged")


@pytest.fixture
def eager_tasks() -> Iterator[None]:
    """Celery tasks run where they are queued, as the worker would run them (no worker in these tests).

    The web process knows the import task by name only (the worker imports the task modules), and a task
    sent by name ignores ``task_always_eager``: importing its module (above) registers it as the worker does."""
    assert run_referral_import.name in celery_app.tasks
    celery_app.conf.task_always_eager = True
    try:
        yield
    finally:
        celery_app.conf.task_always_eager = False


def fill(path: Path, rows: list[list[str]]) -> None:
    """Append rows under what the sheet holds (the template's header and sample row stay)."""
    wb = load_workbook(path)
    for row in rows:
        wb.active.append(row)
    wb.save(path)


def delegation(number: str, receiver: str, *, id_number: str = ID, phone: str = PHONE) -> list[str]:
    return [
        number,
        receiver,
        "买卖合同纠纷",
        "2026-03-09",
        "张三丰",
        id_number,
        phone,
        "某某有限公司",
        "",
        "",
        "诉前委派",
    ]


@pytest.mark.django_db(transaction=True)
def test_clerk_imports_delegations_from_the_template(
    live_server: Any, page: Page, cast: Cast, settings: Any, tmp_path: Path, eager_tasks: None
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    for i in range(2):
        UnitFactory(name=f"测试人民调解委员会{i}", short_name=f"调委{i}", kind="mediation")
    with time_machine.travel(TUESDAY, tick=True):
        joined_days_ago(cast.court, 365)
        sign_in(page, live_server.url, "clerk")
        page.get_by_role("link", name="案件移送").first.click()
        page.get_by_role("link", name="批量导入委派调解").click()
        with page.expect_download() as download:
            page.get_by_role("link", name="下载模板").click()
        sheet = tmp_path / "委派调解.xlsx"
        download.value.save_as(sheet)
        template = [[c or "" for c in row] for row in load_workbook(sheet).active.iter_rows(values_only=True)]
        assert template == [intake.COLUMN_LABELS, intake.EXAMPLE_ROW]  # the header and its sample row

        # Three rows under the sample row; the second has a wrong receiver, ID number and phone:
        # all three problems are reported on the first upload, and nothing is kept.
        numbers = [f"(2026)甘01民诉前调{n}号" for n in (31, 32, 33)]
        fill(
            sheet,
            [
                delegation(numbers[0], "调委0"),
                delegation(numbers[1], "不存在的调委会", id_number="62010219900101123", phone="138-12ab"),
                delegation(numbers[2], "调委1"),
            ],
        )
        page.set_input_files("input[name=file]", str(sheet))
        page.get_by_role("button", name="上传并校验").click()
        errors = page.get_by_test_id("import-errors")
        expect(errors.locator("tbody tr")).to_have_count(1)
        row = errors.locator("tbody tr", has_text="4")
        for problem in (
            "未知单位“不存在的调委会”",
            "申请人身份证号“62010219900101123”格式不正确",
            "申请人电话“138-12ab”格式不正确",
        ):
            expect(row).to_contain_text(problem)
        assert not ReferralImport.objects.exists() and not Referral.objects.exists()

        # Corrected, the sheet passes: the sample row is not counted, three delegations will be created.
        wb = load_workbook(sheet)
        for col, value in ((2, "调委0"), (6, ID), (7, PHONE)):
            wb.active.cell(row=4, column=col, value=value)
        wb.save(sheet)
        page.get_by_role("link", name="重新上传").click()
        page.set_input_files("input[name=file]", str(sheet))
        page.get_by_role("button", name="上传并校验").click()
        expect(page.get_by_test_id("import-ok")).to_contain_text(
            "全部 3 行校验通过:将新建 3 项委派调解,0 项已存在将跳过。"
        )
        page.get_by_role("button", name="确认导入").click()
        progress = page.get_by_test_id("import-progress")
        expect(progress).to_contain_text("100%")
        expect(progress).to_contain_text("已创建 3 项,跳过已存在 0 项")
        progress.get_by_role("link", name="查看发出的移送").click()
        for number in numbers:
            expect(page.get_by_role("link", name=number)).to_be_visible()

        # The same sheet again: nothing new, said in words, nothing kept.
        page.goto(f"{live_server.url}/referrals/import/")
        page.set_input_files("input[name=file]", str(sheet))
        page.get_by_role("button", name="上传并校验").click()
        expect(page.get_by_test_id("import-nothing-new")).to_have_text("3 行均已存在,未重复导入。")
        expect(page.get_by_role("button", name="确认导入")).to_have_count(0)

    imported = Referral.objects.filter(sender=cast.court, kind__code="mediation", status="sent")
    assert sorted(imported.values_list("case_number", flat=True)) == sorted(numbers)
    assert not Referral.objects.filter(case_number=intake.EXAMPLE_ROW[0]).exists()  # the sample row was ignored
    assert Party.objects.filter(referral__in=imported).count() == 6
    assert list(ReferralImport.objects.values_list("status", "created_count")) == [("done", 3)]
