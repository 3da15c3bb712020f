"""The wizard completes with JavaScript off, and with the keyboard alone."""

from __future__ import annotations

from typing import Any

from tests.wizard_helpers import LIST_STEPS, MAIN_PATH, valid_post

from .conftest import Journey
from .test_practitioner import answer, fill, start_decision, submit


def test_wizard_completes_without_javascript(browser: Any, server: str) -> None:
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1100, "height": 900}, bypass_csp=True)
    trip = Journey(context.new_page(), server, "no-javascript", accessibility=False)
    start_decision(trip)
    for step in MAIN_PATH:
        answer(trip, step)
    trip.page.check("#id_declaration")
    trip.page.click("button:has-text('Submit decision')")
    assert "submitted (version 1)" in trip.page.content()
    context.close()


FOCUSED = "() => { const e = document.activeElement; return [e.name || '', e.type || '', e.value || '', e.tagName]; }"
FOCUS_VISIBLE = """() => {
  const s = getComputedStyle(document.activeElement);
  const box = s.boxShadow !== 'none' || (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0);
  const label = document.activeElement.labels && document.activeElement.labels[0];
  const before = label
    ? getComputedStyle(label, '::before').boxShadow + getComputedStyle(label, '::after').boxShadow : '';
  return box || (before && before.replace(/none/g, '').trim().length > 0);
}"""


class Keyboard:
    """Moves focus with Tab only and answers with Space, arrows and typing, checking focus is visible."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.invisible_focus: list[str] = []

    def tab_to(self, name: str, value: str | None = None, limit: int = 80) -> None:
        for _ in range(limit):
            self.page.keyboard.press("Tab")
            focused_name, _type, focused_value, _tag = self.page.evaluate(FOCUSED)
            if focused_name == name and (value is None or focused_value == value):
                if not self.page.evaluate(FOCUS_VISIBLE):
                    self.invisible_focus.append(f"{name}={value}")
                return
        raise AssertionError(f"Tab never reached {name}={value}")

    def answer(self, data: dict[str, Any]) -> None:
        self.fill(data)
        self.press_button()

    def press_button(self, text: str = "") -> None:
        """Tab to the first button (or the first whose text starts with `text`) and press Enter."""
        for _ in range(120):
            self.page.keyboard.press("Tab")
            tag, label = self.page.evaluate(
                "() => [document.activeElement.tagName, document.activeElement.textContent]"
            )
            if tag == "BUTTON" and label.strip().startswith(text):
                break
        with self.page.expect_navigation():
            self.page.keyboard.press("Enter")

    def fill(self, data: dict[str, Any]) -> None:
        self.page.evaluate("() => document.activeElement && document.activeElement.blur()")
        self.page.keyboard.press("Tab")  # skip link
        for name, value in data.items():
            kind = self.page.locator(f"[name='{name}']").first.get_attribute("type")
            if kind == "radio":
                first_value = self.page.locator(f"[name='{name}']").first.get_attribute("value")
                self.tab_to(name)
                for _ in range(10):
                    current = self.page.evaluate(FOCUSED)[2]
                    if current == value:
                        break
                    self.page.keyboard.press("ArrowDown")
                if value == first_value:
                    self.page.keyboard.press("Space")
                assert self.page.locator(f"[name='{name}'][value='{value}']").is_checked(), name
            elif kind == "checkbox":
                for v in value:
                    self.tab_to(name, v)
                    self.page.keyboard.press("Space")
            else:
                self.tab_to(name)
                self.page.keyboard.type(str(value))


def test_wizard_completes_with_the_keyboard_alone(journey: Journey) -> None:
    start_decision(journey)
    keys = Keyboard(journey.page)
    for step in MAIN_PATH:
        assert f"/answer/{step}" in journey.page.url, (step, journey.page.url)
        data = valid_post(step)
        if step in LIST_STEPS:
            # One entry with the page's own add form, then on.
            data.pop("action")
            keys.fill(data)
            keys.press_button("Add this")
            keys.press_button("Save and continue")
            continue
        if step == "consent":
            data["consent_from"] = journey.page.locator("[name='consent_from']").first.get_attribute("value")
        # Fields are visited in page order: the form lists them in that order.
        keys.answer(data)
    assert journey.page.url.endswith("/check")
    keys.tab_to("declaration")
    journey.page.keyboard.press("Space")
    for _ in range(10):
        journey.page.keyboard.press("Tab")
        if journey.page.evaluate("() => document.activeElement.textContent").strip() == "Submit decision":
            break
    with journey.page.expect_navigation():
        journey.page.keyboard.press("Enter")
    assert "submitted (version 1)" in journey.page.content()
    assert keys.invisible_focus == []


__all__ = ["fill", "submit"]
