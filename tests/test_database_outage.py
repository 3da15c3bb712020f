"""The database unavailable for a moment: a safe retry, otherwise a 503 page that keeps what was typed."""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock

import pytest
from django.db import connection, connections, transaction
from django.db.backends import utils
from django.db.utils import OperationalError
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory, override_settings
from django.urls import include, path, reverse

from accounts.models import User
from accounts.sessions import RENEWED_AT
from audit import services as audit_services
from audit.models import AuditEvent
from decisions import services
from decisions.models import DecisionDraft
from sharing_app import errors

from .base import World
from .committed_helpers import committed_practitioner
from .wizard_helpers import MAIN_PATH, step_url, valid_post

LOST = "server closed the connection unexpectedly"


def _remember(request: HttpRequest) -> HttpResponse:
    """A page that changes its session, as signing in or keeping an answer does."""
    request.session["remembered"] = True
    return HttpResponse("ok")


# A test-only URLconf (override_settings(ROOT_URLCONF=__name__)): the application's URLs and the page above.
urlpatterns = [path("remember", _remember), path("", include("sharing_app.urls"))]
handler400 = "sharing_app.errors.bad_request"
handler500 = "sharing_app.errors.server_error"


@contextmanager
def failing_statements(times: int | None = None, when: Callable[[str], bool] = lambda sql: True) -> Iterator[list[str]]:
    """Statements raise OperationalError, as when the database has gone away: all of them (`times` None),
    or the first `times` that match `when`. Yields the SQL of those that failed."""
    failed: list[str] = []
    original = utils.CursorWrapper._execute

    def execute(self: Any, sql: str, params: Any, *args: Any) -> Any:
        if (times is None or len(failed) < times) and when(sql):
            failed.append(sql)
            raise OperationalError(LOST)
        return original(self, sql, params, *args)

    with mock.patch.object(utils.CursorWrapper, "_execute", execute):
        yield failed


def session_update(sql: str) -> bool:
    return sql.startswith("UPDATE") and "django_session" in sql


def hidden_fields(page: str) -> list[tuple[str, str]]:
    """The (name, value) pairs of the hidden inputs of the page's form, in order."""
    return [
        (html.unescape(name), html.unescape(value))
        for name, value in re.findall(r'<input type="hidden" name="([^"]*)" value="([^"]*)">', page)
    ]


def as_post(fields: list[tuple[str, str]]) -> dict[str, list[str]]:
    data: dict[str, list[str]] = {}
    for name, value in fields:
        data.setdefault(name, []).append(value)
    return data


class OutageDuringAStep(World):
    """The whole database gone while a practitioner presses "Save and continue"."""

    def setUp(self) -> None:
        self.draft = services.decision_start(by=self.alice_practitioner_org_a)
        self.step = MAIN_PATH[0]
        self.url = step_url(self.draft.decision.reference, self.step)
        # A real browser: CSRF is enforced, the token comes from the page and the cookie.
        self.browser = Client(enforce_csrf_checks=True)
        self.browser.force_login(self.alice_practitioner_org_a)
        self.browser.raise_request_exception = False
        page = self.browser.get(self.url).content.decode()
        self.token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]

    def post_during_outage(self) -> Any:
        with failing_statements() as failed:
            response = self.browser.post(self.url, {**valid_post(self.step), "csrfmiddlewaretoken": self.token})
        assert failed, "the outage was not reached"
        return response

    def test_503_page_keeps_the_answers_and_try_again_saves_them(self) -> None:
        response = self.post_during_outage()
        assert response.status_code == 503
        page = response.content.decode()
        assert "Sorry, there is a problem with the service" in page
        assert "Your answers have not been saved yet" in page and ">Try again</button>" in page
        assert response["Retry-After"] and "no-store" in response["Cache-Control"]
        fields = hidden_fields(page)
        carried = as_post([f for f in fields if f[0] != "csrfmiddlewaretoken"])
        assert carried == {k: [v] if isinstance(v, str) else list(v) for k, v in valid_post(self.step).items()}
        # A form of its own, posting back to the same page (no action: the browser posts to this URL).
        assert re.search(r'<form method="post" novalidate>', page)
        assert self.browser.cookies["sessionid"].value, "still signed in"
        assert DecisionDraft.objects.get(pk=self.draft.pk).answers == {}

        # The database is back: "Try again" sends the same answers, with the page's CSRF token.
        again = self.browser.post(self.url, as_post(fields))
        assert again.status_code == 302
        saved = DecisionDraft.objects.get(pk=self.draft.pk).answers
        assert self.step in saved

    def test_try_again_is_still_checked_for_csrf(self) -> None:
        fields = hidden_fields(self.post_during_outage().content.decode())
        forged = as_post([f for f in fields if f[0] != "csrfmiddlewaretoken"])
        assert self.browser.post(self.url, forged).status_code == 403
        assert DecisionDraft.objects.get(pk=self.draft.pk).answers == {}

    def test_the_page_needs_no_database(self) -> None:
        request = RequestFactory().post(self.url, {"purpose": "Strategy <discussion>", "categories": ["a", "b"]})
        request.csrf_processing_done = True  # type: ignore[attr-defined]
        request.META["CSRF_COOKIE"] = "x" * 32
        with failing_statements() as failed:
            response = errors.service_unavailable(request)
        assert failed == [] and response.status_code == 503
        page = response.content.decode()
        # Every value, escaped, and lists kept as lists.
        expected = [("purpose", "Strategy <discussion>"), ("categories", "a"), ("categories", "b")]
        assert hidden_fields(page)[1:] == expected
        assert "Strategy &lt;discussion&gt;" in page


class OutageAtEachLayer(World):
    """Wherever the database fails in a request, the answer is the 503 page, never a bare 500."""

    def setUp(self) -> None:
        self.client = self.client_for(self.alice_practitioner_org_a)
        self.client.raise_request_exception = False
        self.draft = services.decision_start(by=self.alice_practitioner_org_a)
        self.step = MAIN_PATH[0]
        self.url = step_url(self.draft.decision.reference, self.step)

    def assert_try_again(self, response: Any, *, carries: bool) -> str:
        assert response.status_code == 503, response.status_code
        page = response.content.decode()
        assert "Sorry, there is a problem with the service" in page and "Try again" in page
        assert ("Your answers have not been saved yet" in page) is carries
        return page

    def test_while_writing_the_answers(self) -> None:
        with mock.patch.object(services, "draft_save_step", side_effect=OperationalError(LOST)):
            response = self.client.post(self.url, valid_post(self.step))
        self.assert_try_again(response, carries=True)

    def test_while_writing_the_audit_event(self) -> None:
        events = AuditEvent.objects.count()
        with mock.patch.object(audit_services, "record", side_effect=OperationalError(LOST)):
            response = self.client.post(self.url, valid_post(self.step))
        self.assert_try_again(response, carries=True)
        # The answers and their audit event are one transaction: neither was written.
        assert DecisionDraft.objects.get(pk=self.draft.pk).answers == {}
        assert AuditEvent.objects.count() == events

    def test_while_loading_the_session_on_a_page(self) -> None:
        with failing_statements():
            response = self.client.get(f"{self.url}?return=check")
        page = self.assert_try_again(response, carries=False)
        assert f'href="{self.url}?return=check"' in page
        assert "<form" not in page

    def test_in_the_view_and_in_the_not_found_page(self) -> None:
        # The membership is read by the permission checks and by the header's context processor, which
        # the not-found page renders with.
        with mock.patch.object(User, "membership", new_callable=mock.PropertyMock) as membership:
            membership.side_effect = OperationalError(LOST)
            self.assert_try_again(self.client.get(reverse("decisions:list")), carries=False)
            self.assert_try_again(self.client.get("/no-such-page"), carries=False)

    def test_renewing_an_unchanged_session_may_fail_without_an_error_page(self) -> None:
        # The answers were saved; only the session's new expiry was not. (A session in use is renewed once a
        # minute, accounts/sessions.py: this one's renewal is due.)
        session = self.client.session
        session[RENEWED_AT] = 0
        session.save()
        with failing_statements(when=session_update) as failed:
            response = self.client.post(self.url, valid_post(self.step))
        assert failed and response.status_code == 302
        assert self.step in DecisionDraft.objects.get(pk=self.draft.pk).answers

    @override_settings(ROOT_URLCONF=__name__)
    def test_a_changed_session_that_cannot_be_saved_is_the_try_again_page(self) -> None:
        with failing_statements(when=session_update) as failed:
            response = self.client.get("/remember")
        assert failed
        self.assert_try_again(response, carries=False)
        assert "remembered" not in self.client.session

    def test_sign_in_keeps_no_password(self) -> None:
        anonymous = Client()
        anonymous.raise_request_exception = False
        with failing_statements():
            response = anonymous.post(
                reverse("accounts:login"), {"username": "alice_practitioner", "password": "hunter2-secret-pass"}
            )
        page = self.assert_try_again(response, carries=False)
        assert "hunter2" not in page and "alice_practitioner" not in page
        assert "does not keep passwords" in page

    def test_an_address_for_another_site_is_not_offered(self) -> None:
        request = RequestFactory().get("//evil.example/decisions/")
        page = errors.service_unavailable(request).content.decode()
        assert "evil.example" not in page

    def test_the_drivers_own_errors_count_too(self) -> None:
        import sqlite3

        import psycopg

        assert errors.database_unavailable(psycopg.errors.AdminShutdown("terminating connection"))
        assert errors.database_unavailable(sqlite3.OperationalError("unable to open database file"))
        assert not errors.database_unavailable(psycopg.errors.UniqueViolation("duplicate key"))
        assert not errors.database_unavailable(RuntimeError("bug"))

    def test_other_errors_are_still_the_500_page(self) -> None:
        with mock.patch.object(services, "draft_save_step", side_effect=RuntimeError("bug")):
            response = self.client.post(self.url, valid_post(self.step))
        assert response.status_code == 500
        assert "Sorry, there is a problem with the service" in response.content.decode()


# Retrying. These need real transactions (not a test case's), so they run on a flushed database.


@pytest.fixture
def practitioner(django_db_setup: None, django_db_blocker: Any) -> Iterator[User]:
    with django_db_blocker.unblock(), committed_practitioner("retry") as user:
        yield user


def test_a_read_is_retried_once(practitioner: User) -> None:
    with failing_statements(times=1) as failed:
        assert User.objects.filter(pk=practitioner.pk).exists()
    assert len(failed) == 1


def test_a_read_that_fails_twice_is_an_error(practitioner: User) -> None:
    with failing_statements(times=2), pytest.raises(OperationalError):
        User.objects.filter(pk=practitioner.pk).exists()


def test_a_write_outside_a_transaction_is_not_repeated(practitioner: User) -> None:
    with failing_statements(times=1, when=lambda sql: sql.startswith("UPDATE")), pytest.raises(OperationalError):
        User.objects.filter(pk=practitioner.pk).update(first_name="Twice")
    assert User.objects.get(pk=practitioner.pk).first_name == "Pat"


def test_a_page_is_served_through_a_moments_outage(practitioner: User) -> None:
    client = Client()
    client.force_login(practitioner)
    with failing_statements(times=1, when=lambda sql: "django_session" in sql) as failed:
        response = client.get(reverse("decisions:list"))
    assert response.status_code == 200 and len(failed) == 1


@override_settings(DB_RETRY_DELAY_SECONDS=0)
def test_opening_a_connection_is_tried_once_more(practitioner: User) -> None:
    other = connections.create_connection("default")
    backend = type(other).__bases__[-1]  # Django's own wrapper, under the retrying one
    original = backend.get_new_connection
    attempts: list[int] = []

    def refuse_once(self: Any, params: Any) -> Any:
        attempts.append(1)
        if len(attempts) == 1:
            raise self.Database.OperationalError("the database system is starting up")
        return original(self, params)

    try:
        with mock.patch.object(backend, "get_new_connection", refuse_once):
            other.ensure_connection()
        assert len(attempts) == 2 and other.connection is not None
    finally:
        other.close()


postgresql_only = pytest.mark.skipif("connection.vendor != 'postgresql'", reason="real transactions on PostgreSQL")


def _backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return int(cursor.fetchone()[0])


def _terminate(pid: int) -> None:
    """As a database restart does to every connection: the server ends this one."""
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s, 5000)", [pid])
    finally:
        other.close()


RETRIED = "retrying it once"


@postgresql_only
def test_postgresql_a_dropped_connection_is_replaced_for_a_read(practitioner: User, caplog: Any) -> None:
    pid = _backend_pid()
    _terminate(pid)
    assert User.objects.filter(pk=practitioner.pk).exists()
    assert _backend_pid() != pid
    assert RETRIED in caplog.text


@postgresql_only
def test_postgresql_a_transaction_that_never_started_is_retried(practitioner: User, caplog: Any) -> None:
    _terminate(_backend_pid())
    with transaction.atomic():
        draft = services.decision_start(by=practitioner)
        assert connection.in_atomic_block
    assert RETRIED in caplog.text
    assert DecisionDraft.objects.filter(pk=draft.pk).exists()
    assert AuditEvent.objects.filter(target_ref=draft.decision.reference).count() == 1


@postgresql_only
def test_postgresql_a_database_that_stays_down_fails_the_transaction_once(practitioner: User, settings: Any) -> None:
    settings.DB_RETRY_DELAY_SECONDS = 0
    backend = type(connections["default"]).__bases__[-1]
    attempts: list[int] = []

    def refuse(self: Any, params: Any) -> Any:
        attempts.append(1)
        raise self.Database.OperationalError("connection refused")

    drafts = DecisionDraft.objects.count()
    _terminate(_backend_pid())
    with mock.patch.object(backend, "get_new_connection", refuse):
        with pytest.raises(OperationalError), transaction.atomic():
            services.decision_start(by=practitioner)
        # One connection attempt and its one retry; unwinding the atomic blocks does not try again.
        assert len(attempts) == 2
        assert not connection.in_atomic_block and connection.connection is None
    # Back: the next request's work goes through, and nothing of the failed one was kept.
    assert DecisionDraft.objects.count() == drafts
    with transaction.atomic():
        assert services.decision_start(by=practitioner).pk


@postgresql_only
def test_postgresql_a_transaction_cut_off_half_way_is_not_retried(practitioner: User, caplog: Any) -> None:
    drafts = DecisionDraft.objects.count()
    with pytest.raises(OperationalError), transaction.atomic():
        services.decision_start(by=practitioner)
        _terminate(_backend_pid())
        User.objects.filter(pk=practitioner.pk).update(first_name="Half")
    assert RETRIED not in caplog.text
    assert DecisionDraft.objects.count() == drafts
    assert User.objects.get(pk=practitioner.pk).first_name == "Pat"
