"""Irreversible actions ask first, in a dialog that works from the keyboard (issue 14).

The clerk issues a draft recommendation with the keyboard only: Enter on 发出 opens the dialog with the
focus on its accept button; Esc closes it, the focus is back on 发出 and nothing changed; Enter again, then
Enter on the accept button, issues it. Without JavaScript the button posts at once (the server decides).
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.cases.recommendations.support import make_draft
from tests.conftest import Cast
from tests.e2e.test_recommendation_journey import sign_in


@pytest.mark.django_db(transaction=True)
def test_issue_asks_for_confirmation_and_escape_cancels(live_server, page: Page, cast: Cast) -> None:  # type: ignore[no-untyped-def]
    rec = make_draft(cast)
    sign_in(page, live_server.url, "clerk")
    page.goto(f"{live_server.url}/recommendations/{rec.pk}/")
    issue = page.get_by_test_id("action-issue").get_by_role("button", name="发出")
    dialog = page.get_by_test_id("confirm-dialog")
    accept = dialog.locator("[data-confirm-accept]")

    issue.focus()
    page.keyboard.press("Enter")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("确定发出这份司法建议?")
    expect(accept).to_be_focused()
    expect(accept).to_have_text("发出")
    page.keyboard.press("Shift+Tab")  # Tab moves between the dialog's buttons
    expect(dialog.get_by_role("button", name="取消")).to_be_focused()
    page.keyboard.press("Tab")
    expect(accept).to_be_focused()

    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(issue).to_be_focused()
    rec.refresh_from_db()
    assert rec.status == "draft" and rec.issued_on is None

    page.keyboard.press("Enter")
    expect(accept).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("status")).to_have_text("已发出")
    rec.refresh_from_db()
    assert rec.status == "issued"


@pytest.mark.django_db(transaction=True)
def test_without_javascript_the_button_posts_and_the_server_decides(live_server, browser: Browser, cast: Cast) -> None:  # type: ignore[no-untyped-def]
    rec = make_draft(cast)
    context = browser.new_context(locale="zh-CN", java_script_enabled=False)
    page = context.new_page()
    sign_in(page, live_server.url, "clerk")
    page.goto(f"{live_server.url}/recommendations/{rec.pk}/")
    page.get_by_test_id("action-issue").get_by_role("button", name="发出").click()
    expect(page.get_by_test_id("status")).to_have_text("已发出")
    context.close()
    rec.refresh_from_db()
    assert rec.status == "issued"
