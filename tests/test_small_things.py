"""Issue 24 item 11: the smaller things seen, each with its siblings."""

from __future__ import annotations

import re

from django.test import Client
from django.urls import reverse

from retention.forms import ProposeForm

from .base import World
from .wizard_helpers import MAIN_PATH, start, step_url, walk


def title_of(html: str) -> str:
    found = re.search(r"<title>(.*?)</title>", html, re.S)
    assert found is not None
    return found.group(1)


class SmallThingsTests(World):
    def setUp(self) -> None:
        self.client_a = self.client_for(self.alice_practitioner_org_a)

    def test_an_error_page_title_says_error_once_at_the_start(self) -> None:
        pages = [
            self.client_a.get(reverse("decisions:list"), {"name": "x" * 201}),
            self.client_a.post(step_url(start(self.client_a), "request"), {}),
        ]
        for response in pages:
            title = title_of(response.content.decode())
            assert title.startswith("Error: ") and title.count("Error") == 1, title

    def test_people_not_persons(self) -> None:
        reference = start(self.client_a)
        walk(self.client_a, reference, ["request"])
        html = self.client_a.get(step_url(reference, "people")).content.decode()
        assert "You have not added any people yet" in html and "persons" not in html

    def test_the_disposal_hint_is_one_sentence_after_another(self) -> None:
        hint = str(ProposeForm().fields["reason"].help_text)
        assert "inquiry. Do not name" in hint and ". do not" not in hint

    def test_limits_are_written_with_a_comma(self) -> None:
        reference = start(self.client_a)
        walk(self.client_a, reference, ["request", "people"])
        html = self.client_a.get(step_url(reference, "information")).content.decode()
        assert "up to 5,000 characters" in html and "5000 characters" not in html

    def test_the_special_category_hint_lists_all_of_article_9(self) -> None:
        reference = start(self.client_a)
        walk(self.client_a, reference, ["request", "people"])
        html = self.client_a.get(step_url(reference, "information")).content.decode()
        for category in (
            "Racial or ethnic origin",
            "political opinions",
            "religious or philosophical beliefs",
            "trade union membership",
            "genetic or biometric data",
            "health",
            "sex life or sexual orientation",
        ):
            assert category in html, category

    def test_the_time_shared_box_is_a_govuk_input(self) -> None:
        reference = start(self.client_a)
        walk(self.client_a, reference, MAIN_PATH[: MAIN_PATH.index("recipients")])
        html = self.client_a.get(step_url(reference, "recipients")).content.decode()
        box = re.search(r'<input[^>]*name="shared_time"[^>]*>', html)
        assert box is not None and "govuk-input" in box.group(0), box

    def test_signing_out_says_so(self) -> None:
        response = self.client_a.post(reverse("accounts:logout"), follow=True)
        assert "You have signed out" in response.content.decode()

    def test_an_expired_session_says_so_on_the_sign_in_page(self) -> None:
        client = self.client_a
        client.get(reverse("home"))
        # The session ends (idle timeout) while the browser still holds its signed-in note.
        client.cookies.pop("sessionid", None)
        response = client.get(reverse("decisions:list"), follow=True)
        html = response.content.decode()
        assert "You were signed out" in html, html[:2000]
        # A first visit, never signed in, is not told that.
        assert "You were signed out" not in Client().get(reverse("decisions:list"), follow=True).content.decode()

    def test_the_signed_in_user_bar_is_inside_a_landmark(self) -> None:
        html = self.client_a.get(reverse("home")).content.decode()
        # axe's best-practice "region": all content sits in a landmark. A section with a name is one.
        bar = re.search(r'<(\w+) class="app-user-bar"([^>]*)>', html)
        assert bar is not None and bar.group(1) == "section" and 'aria-label="Your account"' in bar.group(2)
