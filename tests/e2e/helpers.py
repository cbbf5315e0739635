"""What every browser journey does: sign in, accept a confirmation dialog, open a phone, measure the width."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from playwright.sync_api import Browser, Error, Frame, Locator, Page, ViewportSize, expect

from tests.conftest import PASSWORD

PHONE: ViewportSize = {"width": 390, "height": 844}
#: The accept button of the confirmation dialog that irreversible actions (发出, 印发, 撤回, 办结) open.
CONFIRM_ACCEPT = ".modal.show [data-confirm-accept]"


def sign_in(page: Page, base: str, username: str) -> None:
    """Sign out whoever is signed in, then sign in as ``username`` through the login form."""
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.press("input[name=password]", "Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("您好")


def click_and_confirm(page: Page, button: Locator, *, wait_seconds: float = 2.0) -> None:
    """Click ``button``; if a confirmation dialog opens, accept it with the dialog's own button.

    Works whether or not the action asks for confirmation: it returns as soon as the click has
    navigated (no dialog) or once the dialog's accept button has been clicked.
    """
    navigated: list[bool] = []

    def on_navigation(frame: Frame) -> None:
        if frame == page.main_frame:
            navigated.append(True)

    page.on("framenavigated", on_navigation)
    try:
        button.click()
        accept = page.locator(CONFIRM_ACCEPT)
        deadline = time.monotonic() + wait_seconds
        while time.monotonic() < deadline and not navigated:
            try:
                if accept.is_visible():
                    accept.click()
                    return
            except Error:  # the page is being replaced: the click submitted without a dialog
                return
            page.wait_for_timeout(50)
    finally:
        page.remove_listener("framenavigated", on_navigation)


@contextmanager
def phone(browser: Browser) -> Iterator[Page]:
    """A page in a 390 px wide phone's browser (a context of its own, closed afterwards)."""
    context = browser.new_context(locale="zh-CN", viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        yield page
    finally:
        context.close()


def sideways_scroll(page: Page) -> int:
    """How many pixels the page scrolls sideways (0 when it fits the viewport)."""
    return int(page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth"))
