"""An answer posted after the session expired is kept for the user who was signed in, and for nobody else:
anonymous posts store nothing (issue 16, defect 1)."""

from __future__ import annotations

import datetime as dt
import re

import time_machine
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from accounts.middleware import KEPT_MAX_BYTES, KEPT_POSTS, SIGNED_IN_COOKIE

from .base import PASSWORD, World
from .wizard_helpers import start, step_url, valid_post

LOGIN = reverse("accounts:login")
START = dt.datetime(2026, 11, 3, 9, 0, tzinfo=dt.UTC)
# Small enough that nothing like the 7.5 MB row of the report can hide in it.
SMALL_SESSION = 2048


def csrf_token(client: Client) -> str:
    html = client.get(LOGIN).content.decode()
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert match is not None
    return match.group(1)


def session_sizes() -> list[int]:
    return [len(s.session_data) for s in Session.objects.all()]


class AnonymousPostTests(World):
    def test_the_reported_steps_store_nothing(self) -> None:
        # Take a CSRF token from the sign-in page, then POST anonymously to /decisions/<anything>/answer/<anything>.
        client = Client(enforce_csrf_checks=True)
        token = csrf_token(client)
        big = "x" * (1900 * 1024)
        for n in range(4):
            response = client.post(
                f"/decisions/anything-{n}/answer/anything-{n}", {"csrfmiddlewaretoken": token, "notes": big}
            )
            # Refused unread over the question pages' limit (sharing_app/request_limits.py), or sent to sign in.
            assert response.status_code == 413 or response["Location"].startswith(LOGIN)
        assert all(size < SMALL_SESSION for size in session_sizes()), session_sizes()
        for session in Session.objects.all():
            assert KEPT_POSTS not in session.get_decoded()

    def test_a_small_anonymous_post_is_not_kept_either(self) -> None:
        client = Client()
        client.post("/decisions/OA-2026-00001/answer/request", {"requester_name": "Nobody signed in"})
        assert not any(KEPT_POSTS in s.get_decoded() for s in Session.objects.all())

    def test_a_forged_signed_in_cookie_is_ignored(self) -> None:
        client = Client()
        client.cookies[SIGNED_IN_COOKIE] = "1:forged:signature"
        client.post("/decisions/OA-2026-00001/answer/request", {"requester_name": "Forged"})
        assert not any(KEPT_POSTS in s.get_decoded() for s in Session.objects.all())


class ExpiredSessionTests(World):
    def expired_client(self) -> tuple[Client, str]:
        """Alice signed in, started a decision, and was idle for 45 minutes (the session is 30)."""
        with time_machine.travel(START, tick=False):
            client = Client()
            assert client.login(username="alice_practitioner", password=PASSWORD)
            reference = start(client)
            client.get(reverse("home"))  # any page sets the signed-in note
        assert SIGNED_IN_COOKIE in client.cookies
        return client, reference

    def test_one_answer_is_kept_for_the_same_user_only(self) -> None:
        client, reference = self.expired_client()
        first, second = step_url(reference, "request"), step_url(reference, "information")
        with time_machine.travel(START + dt.timedelta(minutes=45), tick=False):
            client.post(first, valid_post("request", requester_name="First page"))
            client.post(second, {"information": "Second page"})
            kept = [s.get_decoded()[KEPT_POSTS] for s in Session.objects.all() if KEPT_POSTS in s.get_decoded()]
            # One pending answer: the second replaced the first.
            assert len(kept) == 1 and kept[0]["path"] == second
            assert kept[0]["user"] == self.alice_practitioner_org_a.pk
            assert all(size < 4 * SMALL_SESSION for size in session_sizes())

    def test_an_answer_over_64_kb_is_not_kept(self) -> None:
        client, reference = self.expired_client()
        url = step_url(reference, "request")
        with time_machine.travel(START + dt.timedelta(minutes=45), tick=False):
            response = client.post(url, valid_post("request", requester_name="y" * (KEPT_MAX_BYTES + 1)))
            assert response["Location"].startswith(LOGIN)
        assert not any(KEPT_POSTS in s.get_decoded() for s in Session.objects.all())
        assert all(size < SMALL_SESSION for size in session_sizes())

    def test_someone_else_signing_in_does_not_see_it(self) -> None:
        client, reference = self.expired_client()
        url = step_url(reference, "request")
        with time_machine.travel(START + dt.timedelta(minutes=45), tick=False):
            client.post(url, valid_post("request", requester_name="Typed by Alice"))
            assert client.login(username="amir_practitioner", password=PASSWORD)
            assert "Typed by Alice" not in client.get(url).content.decode()

    def test_the_kept_answer_is_only_given_back_to_its_user(self) -> None:
        from django.contrib.auth.models import AnonymousUser
        from django.test import RequestFactory

        from accounts.middleware import pop_kept_answer

        request = RequestFactory().get("/decisions/OA-1/answer/request")
        request.session = {KEPT_POSTS: {"path": request.path, "user": self.alice_practitioner_org_a.pk, "data": {}}}  # type: ignore[assignment]
        request.user = self.amir_practitioner_org_a
        assert pop_kept_answer(request) is None and KEPT_POSTS not in request.session
        request.session = {KEPT_POSTS: {"path": request.path, "user": self.alice_practitioner_org_a.pk, "data": {}}}  # type: ignore[assignment]
        request.user = AnonymousUser()
        assert pop_kept_answer(request) is None

    def test_signing_out_forgets_that_the_browser_was_signed_in(self) -> None:
        client = Client()
        assert client.login(username="alice_practitioner", password=PASSWORD)
        client.get(reverse("home"))
        assert client.cookies[SIGNED_IN_COOKIE].value
        client.post(reverse("accounts:logout"))
        assert client.cookies[SIGNED_IN_COOKIE].value == ""
        client.post("/decisions/OA-2026-00001/answer/request", {"requester_name": "After sign-out"})
        assert not any(KEPT_POSTS in s.get_decoded() for s in Session.objects.all())
