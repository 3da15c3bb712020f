"""A mail server that refuses or hangs: submit and review do not wait for it, the email is retried with
back-off by the background worker, and one that never goes is shown to the organisation's admins."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import time_machine
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from oversight import tasks
from oversight.models import Notification, NotificationStatus

from .base import World
from .factories import make_submitted_decision
from .mail_helpers import SmtpServer, run_worker
from .test_interrupted_submit import ready_draft

SETTINGS_URL = reverse("oversight:organisation")


class MailServerFaults(World):
    def setUp(self) -> None:
        for user in [self.alice_practitioner_org_a, self.sue_supervisor_org_a, self.sid_supervisor_org_b]:
            user.email = f"{user.username}@example.org"
            user.save(update_fields=["email"])
        self.server = SmtpServer("hang")
        self.addCleanup(self.server.stop)
        self.enterContext(
            override_settings(
                EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
                EMAIL_HOST="127.0.0.1",
                EMAIL_PORT=self.server.port,
                EMAIL_TIMEOUT=1,
            )
        )

    def submit_through_the_page(self) -> Any:
        draft = ready_draft(self.alice_practitioner_org_a)
        url = reverse("decisions:check", kwargs={"reference": draft.decision.reference})
        response = self.client_for(self.alice_practitioner_org_a).post(url, {"declaration": "on"})
        assert response.status_code == 302
        return draft

    def due_tasks(self) -> int:
        return DBTaskResult.objects.ready().count()

    def later(self, notification: Notification) -> Any:
        """Time travel to just after the attempt the worker booked."""
        notification.refresh_from_db()
        assert notification.next_attempt_at is not None
        return time_machine.travel(notification.next_attempt_at + dt.timedelta(seconds=1), tick=False)

    def test_submit_does_not_wait_for_a_mail_server_that_hangs(self) -> None:
        self.submit_through_the_page()
        # The page never talked to the mail server: the email waits for the worker.
        assert self.server.connections == 0
        notification = Notification.objects.get()
        assert (notification.status, notification.attempts, notification.recipient) == (
            NotificationStatus.QUEUED,
            0,
            "sue_supervisor@example.org",
        )
        assert self.due_tasks() == 1

        run_worker()  # waits EMAIL_TIMEOUT (1 s here) for the greeting, then gives up until later
        notification.refresh_from_db()
        assert self.server.connections == 1
        assert notification.status == NotificationStatus.QUEUED and notification.attempts == 1
        assert notification.problem == "The mail server did not answer in time."
        # The next attempt is booked, a minute on, and nothing is due before then.
        booked = DBTaskResult.objects.get(status="READY")
        assert booked.run_after == notification.next_attempt_at
        assert dt.timedelta(seconds=55) < notification.next_attempt_at - timezone.now() <= tasks.WAITS[0]
        assert self.due_tasks() == 0

    def test_review_does_not_wait_either(self) -> None:
        version = make_submitted_decision(self.alice_practitioner_org_a)
        url = reverse("oversight:return", kwargs={"reference": version.decision.reference, "number": 1})
        response = self.client_for(self.sue_supervisor_org_a).post(url, {"return-comment": "Add the date you shared"})
        assert response.status_code == 302
        assert self.server.connections == 0
        assert Notification.objects.filter(recipient="alice_practitioner@example.org").count() == 1

    def test_a_password_reset_does_not_wait_for_the_mail_server_and_the_worker_sends_it(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            response = Client().post(reverse("accounts:password_reset"), {"email": "alice_practitioner@example.org"})
        assert response.status_code == 302
        # The page never talked to the mail server, and no reset link waits in the database.
        assert self.server.connections == 0
        queued = json.dumps(list(DBTaskResult.objects.values_list("args_kwargs", flat=True)))
        assert "send_account_email" in str(list(DBTaskResult.objects.values_list("task_path", flat=True)))
        assert not re.search(r"password-reset/[^/\s\"]+/[^/\s\"]+", queued)
        self.server.mode = "accept"
        run_worker()
        assert self.server.connections == 1 and len(self.server.messages) == 1
        assert re.search(r"password-reset/[^/\s]+/[^/\s]+", self.server.messages[0])

    def test_a_refusing_server_is_tried_again_with_back_off_until_it_accepts(self) -> None:
        self.server.mode = "refuse"
        self.submit_through_the_page()
        notification = Notification.objects.get()
        run_worker()
        notification.refresh_from_db()
        assert notification.attempts == 1 and notification.problem == "The mail server refused the message (code 554)."
        first_wait = notification.next_attempt_at - timezone.now()  # type: ignore[operator]

        with self.later(notification):
            run_worker()
            notification.refresh_from_db()
            assert notification.attempts == 2 and notification.status == NotificationStatus.QUEUED
            # Back-off: the next wait is longer than the first.
            assert notification.next_attempt_at - timezone.now() > first_wait * 4  # type: ignore[operator]

        self.server.mode = "accept"
        with self.later(notification):
            run_worker()
        notification.refresh_from_db()
        assert notification.status == NotificationStatus.SENT and notification.attempts == 3
        [message] = self.server.messages
        assert f"Subject: Decision {notification.decision_reference} is waiting for your review" in message

        # The attempt booked before the send finds it sent, and sends nothing more.
        with self.later_than_every_wait():
            run_worker()
        assert len(self.server.messages) == 1 and self.server.connections == 3

    def later_than_every_wait(self) -> Any:
        return time_machine.travel(timezone.now() + sum(tasks.WAITS, dt.timedelta()) * 2, tick=False)

    def test_a_worker_that_stops_half_way_is_followed_by_another_attempt(self) -> None:
        self.server.mode = "accept"
        self.submit_through_the_page()
        notification = Notification.objects.get()
        # As a worker killed after it counted the attempt and before the mail server answered.
        DBTaskResult.objects.all().delete()
        assert tasks._claim(notification.pk) is not None
        with self.later(notification):
            run_worker()
        notification.refresh_from_db()
        assert notification.status == NotificationStatus.SENT and len(self.server.messages) == 1

    def test_an_email_that_never_goes_is_shown_to_the_organisations_admins(self) -> None:
        self.server.mode = "refuse"
        self.submit_through_the_page()
        notification = Notification.objects.get()
        admin = self.client_for(self.ada_admin_org_a)
        assert "There are no problems sending emails" in admin.get(SETTINGS_URL).content.decode()

        run_worker()
        page = admin.get(SETTINGS_URL).content.decode()
        assert "Trying again" in page and "The mail server refused the message (code 554)." in page

        for _ in range(tasks.MAX_ATTEMPTS - 1):
            with self.later(notification):
                run_worker()
        notification.refresh_from_db()
        assert notification.status == NotificationStatus.FAILED and notification.attempts == tasks.MAX_ATTEMPTS
        assert self.server.connections == tasks.MAX_ATTEMPTS
        # Spread over hours, not seconds.
        assert sum(tasks.WAITS[:-1], dt.timedelta()) > dt.timedelta(hours=5)

        page = admin.get(SETTINGS_URL).content.decode()
        table = page[page.index('id="emails"') :]
        assert "Not sent" in table and "sue_supervisor@example.org" in table
        assert notification.decision_reference in table and f"Tried {tasks.MAX_ATTEMPTS} times." in table
        assert re.search(rf'href="/decisions/{notification.decision_reference}"', table)
        # Nothing more is tried.
        with self.later_than_every_wait():
            run_worker()
        assert self.server.connections == tasks.MAX_ATTEMPTS

        # Another organisation's admin does not see it; nobody else may open the page.
        other = self.client_for(self.bea_admin_org_b).get(SETTINGS_URL).content.decode()
        assert "sue_supervisor@example.org" not in other and "There are no problems sending emails" in other
        assert self.client_for(self.sue_supervisor_org_a).get(SETTINGS_URL).status_code == 403

    def test_a_worker_that_is_not_running_shows_as_waiting(self) -> None:
        self.submit_through_the_page()
        admin = self.client_for(self.ada_admin_org_a)
        assert "There are no problems sending emails" in admin.get(SETTINGS_URL).content.decode()
        with time_machine.travel(timezone.now() + dt.timedelta(minutes=20), tick=False):
            page = admin.get(SETTINGS_URL).content.decode()
        assert "Waiting" in page and "background worker may have stopped" in page

    def test_problems_are_described_without_the_servers_words(self) -> None:
        import smtplib

        refused = smtplib.SMTPRecipientsRefused({"sue@example.org": (550, b"No such user sue@example.org")})
        assert tasks.describe(refused) == "The mail server refused the email address."
        assert tasks.describe(ConnectionRefusedError()) == "Could not connect to the mail server."
        assert tasks.describe(smtplib.SMTPServerDisconnected("gone")) == "The mail server closed the connection."
        assert tasks.describe(ValueError("x")) == "The email could not be sent."
