"""Driving a unit picker (members.widgets.UnitPicker, Tom Select) the way a user does: type, then keys."""

from __future__ import annotations

from playwright.sync_api import Page, expect


def pick_unit(page: Page, name: str, search: str, unit_name: str) -> None:
    """In the picker of field ``name``, type ``search``, move to ``unit_name`` with the arrow keys, Enter."""
    control = page.locator(f"select[name={name}] + .ts-wrapper input")
    control.focus()
    control.press_sequentially(search, delay=20)
    dropdown = page.locator(f"select[name={name}] + .ts-wrapper .ts-dropdown")
    option = dropdown.locator(".option", has_text=unit_name).first
    expect(option).to_be_visible()
    for _ in range(50):
        if "active" in (option.get_attribute("class") or ""):
            break
        control.press("ArrowDown")
    else:
        raise AssertionError(f"{unit_name} never became the active option")
    control.press("Enter")
    expect(page.locator(f"select[name={name}] + .ts-wrapper .item", has_text=unit_name)).to_be_visible()
