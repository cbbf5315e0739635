"""The shared journey helpers on a page of their own (no server): click_and_confirm accepts a confirmation
dialog when the button opens one, and returns at once when the click submits by itself."""

from __future__ import annotations

import time

from playwright.sync_api import Page, Route, expect

from tests.e2e.helpers import click_and_confirm

PAGE = """<!doctype html><html><body>
<form method="post" action="/done"><input type="hidden" name="which" value="asks">
  <button type="submit" data-confirm="确定发出?">发出</button></form>
<form method="post" action="/done"><input type="hidden" name="which" value="plain">
  <button type="submit">保存</button></form>
<div class="modal" id="dialog" style="display:none"><p>确定发出?</p>
  <button type="button" data-confirm-accept>确定</button></div>
<script>
  let pending = null;
  document.querySelector("[data-confirm]").addEventListener("click", (event) => {
    event.preventDefault();
    pending = event.target.form;
    const dialog = document.getElementById("dialog");
    setTimeout(() => { dialog.style.display = "block"; dialog.classList.add("show"); }, 150);  // it fades in
  });
  document.querySelector("[data-confirm-accept]").addEventListener("click", () => pending.submit());
</script></body></html>"""


def test_click_and_confirm_with_and_without_a_dialog(page: Page) -> None:
    posted: list[str] = []

    def serve(route: Route) -> None:
        if route.request.method == "POST":
            posted.append(route.request.post_data or "")
            route.fulfill(body="<h1>done</h1>", content_type="text/html; charset=utf-8")
        else:
            route.fulfill(body=PAGE, content_type="text/html; charset=utf-8")

    page.route("http://fuyuan.test/**", serve)
    page.goto("http://fuyuan.test/")
    click_and_confirm(page, page.get_by_role("button", name="发出"))
    expect(page.get_by_role("heading", level=1)).to_have_text("done")
    assert posted == ["which=asks"]

    page.goto("http://fuyuan.test/")
    started = time.monotonic()
    click_and_confirm(page, page.get_by_role("button", name="保存"), wait_seconds=5)
    expect(page.get_by_role("heading", level=1)).to_have_text("done")
    assert posted == ["which=asks", "which=plain"]
    assert time.monotonic() - started < 3  # it returned on the navigation, not after waiting for a dialog
