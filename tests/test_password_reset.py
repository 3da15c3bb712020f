"""Forgotten passwords and new accounts: one-use emailed links, the same answer whether or not an account
exists, limits per address and per account, and the audit trail."""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from collections.abc import Iterator
from unittest import mock

import time_machine
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.test import Client, override_settings
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts import passwords
from accounts.models import Membership, Role, User
from audit import actions
from audit.models import AuditEvent

from .base import PASSWORD, World, form_errors
from .mail_helpers import run_worker


@contextlib.contextmanager
def emails_sent(test: World) -> Iterator[None]:
    """Run the block, commit, then let the background worker send what it queued."""
    with test.captureOnCommitCallbacks(execute=True):
        yield
    run_worker()


RESET = reverse("accounts:password_reset")
SENT = reverse("accounts:password_reset_sent")
COMPLETE = reverse("accounts:password_reset_complete")
NEW = "a brand new long password 42"
LINK = re.compile(r"https?://\S+/accounts/(?:password-reset|set-password)/\S+")


def link_in(message: mail.EmailMessage) -> str:
    found = LINK.search(str(message.body))
    assert found, message.body
    return found.group(0).replace("http://testserver", "")


def requests(**filters: object) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=actions.PASSWORD_RESET_REQUEST, **filters).order_by("id"))


class ResetRequestTests(World):
    def setUp(self) -> None:
        User.objects.filter(pk=self.alice_practitioner_org_a.pk).update(email="alice@example.org")
        self.client = Client(REMOTE_ADDR="192.0.2.10")

    def ask(self, email: str, client: Client | None = None) -> object:
        # Emails go once the request's transaction commits.
        with emails_sent(self):
            return (client or self.client).post(RESET, {"email": email})

    def test_a_known_address_gets_a_link_and_the_same_page_as_an_unknown_one(self) -> None:
        known = self.ask("Alice@Example.org")
        unknown = self.ask("nobody@example.org")
        assert known.status_code == unknown.status_code == 302
        assert known["Location"] == unknown["Location"] == SENT
        assert len(mail.outbox) == 1 and mail.outbox[0].to == ["alice@example.org"]
        assert "alice_practitioner" in mail.outbox[0].body and "60 minutes" in mail.outbox[0].body
        page = self.client.get(SENT).content.decode()
        assert "If there is an account with that email address" in page

    def test_each_request_is_audited_without_the_address_typed(self) -> None:
        self.ask("alice@example.org")
        self.ask("nobody@example.org")
        known, unknown = requests()
        assert known.target_id == str(self.alice_practitioner_org_a.pk) and known.organisation_id == self.org_a.pk
        assert known.details == {"known_user": True, "sent": True, "limited": ""}
        assert known.ip_address == "192.0.2.10" and known.actor_id is None
        assert unknown.target_id == "" and unknown.details["known_user"] is False
        assert "nobody@example.org" not in str(unknown.details) and unknown.organisation_id is None

    def test_an_invalid_address_shows_an_error_and_records_nothing(self) -> None:
        response = self.ask("not an address")
        assert response.status_code == 200
        assert "Enter an email address in the correct format" in form_errors(response)
        assert not requests() and not mail.outbox
        assert "Enter your email address" in form_errors(self.ask(""))

    @override_settings(PASSWORD_RESET_LIMIT_PER_ACCOUNT=3)
    def test_an_account_gets_at_most_three_links_an_hour_and_nobody_can_tell(self) -> None:
        for n in range(5):
            response = self.ask("alice@example.org", Client(REMOTE_ADDR=f"192.0.2.{20 + n}"))
            assert response.status_code == 302 and response["Location"] == SENT
        assert len(mail.outbox) == 3
        assert [e.details["limited"] for e in requests()] == ["", "", "", "account", "account"]
        with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(hours=1, minutes=1)):
            self.ask("alice@example.org")
        assert len(mail.outbox) == 4

    @override_settings(PASSWORD_RESET_LIMIT_PER_ADDRESS=10)
    def test_one_address_is_stopped_after_ten_requests_an_hour(self) -> None:
        for n in range(10):
            assert self.ask(f"someone{n}@example.org").status_code == 302
        response = self.ask("alice@example.org")
        assert response.status_code == 429 and "Too many requests" in response.content.decode()
        assert not mail.outbox
        assert requests()[-1].details == {"known_user": None, "sent": False, "limited": "address"}
        # Another address is not affected.
        assert self.ask("alice@example.org", Client(REMOTE_ADDR="192.0.2.99")).status_code == 302
        assert len(mail.outbox) == 1

    @override_settings(PASSWORD_RESET_LIMIT_PER_ADDRESS=0)
    def test_the_address_limit_can_be_turned_off(self) -> None:
        for n in range(12):
            assert self.ask(f"someone{n}@example.org").status_code == 302

    def test_a_mail_failure_shows_the_same_page(self) -> None:
        with mock.patch("accounts.passwords.send_mail", side_effect=OSError("mail server down")):
            response = self.ask("alice@example.org")
        assert response.status_code == 302 and response["Location"] == SENT

    def test_inactive_accounts_get_nothing(self) -> None:
        User.objects.filter(pk=self.alice_practitioner_org_a.pk).update(is_active=False)
        assert self.ask("alice@example.org")["Location"] == SENT
        assert not mail.outbox

    def test_wrong_methods(self) -> None:
        assert self.client.put(RESET).status_code == 405
        assert self.client.post(SENT).status_code == 405
        assert self.client.post(COMPLETE).status_code == 405

    def test_the_sign_in_page_links_here(self) -> None:
        assert f'href="{RESET}"' in self.client.get(reverse("accounts:login")).content.decode()


class ResetLinkTests(World):
    def setUp(self) -> None:
        User.objects.filter(pk=self.alice_practitioner_org_a.pk).update(email="alice@example.org")
        self.client = Client(REMOTE_ADDR="192.0.2.30")
        with emails_sent(self):
            self.client.post(RESET, {"email": "alice@example.org"})
        self.link = link_in(mail.outbox[0])

    def open_link(self, link: str | None = None) -> tuple[str, str]:
        """(the page the link leads to, its HTML)."""
        response = self.client.get(link or self.link, follow=True)
        return response.request["PATH_INFO"], response.content.decode()

    def test_the_link_sets_a_new_password_once(self) -> None:
        AccessAttempt.objects.create(username="alice_practitioner", ip_address="192.0.2.1", failures_since_start=3)
        path, html = self.open_link()
        assert path.endswith("/set-password") and "Choose a new password" in html and "alice_practitioner" in html
        response = self.client.post(path, {"new_password1": NEW, "new_password2": NEW})
        assert response.status_code == 302 and response["Location"] == COMPLETE
        assert "Your password is set" in self.client.get(COMPLETE).content.decode()
        assert Client().login(username="alice_practitioner", password=NEW)
        assert not Client().login(username="alice_practitioner", password=PASSWORD)
        event = AuditEvent.objects.get(action=actions.PASSWORD_RESET)
        assert event.actor_id == self.alice_practitioner_org_a.pk and event.organisation_id == self.org_a.pk
        assert event.details == {"failed_sign_ins_cleared": 1} and not AccessAttempt.objects.exists()
        # Used: the same link no longer works.
        _, html = self.open_link()
        assert "This link does not work" in html and "has been used already" in html

    def test_an_expired_link_does_not_work(self) -> None:
        later = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT + 5)
        with time_machine.travel(later):
            _, html = self.open_link()
        assert "This link does not work" in html and "Ask for a new link" in html
        assert 'name="new_password1"' not in html

    def test_a_made_up_link_does_not_work(self) -> None:
        for link in ["/accounts/password-reset/MQ/abc-def", "/accounts/password-reset/zzz/set-password"]:
            _, html = self.open_link(link)
            assert "This link does not work" in html, link

    def test_weak_or_mismatched_passwords_show_errors_and_save_nothing(self) -> None:
        path, _ = self.open_link()
        cases = {
            ("short", "short"): "This password is too short",
            (NEW, NEW + "x"): "The passwords do not match",
            ("", ""): "Enter a new password",
        }
        for (first, second), message in cases.items():
            response = self.client.post(path, {"new_password1": first, "new_password2": second})
            assert response.status_code == 200 and message in form_errors(response), message
        assert Client().login(username="alice_practitioner", password=PASSWORD)
        assert not AuditEvent.objects.filter(action=actions.PASSWORD_RESET).exists()

    def test_old_sessions_end_when_the_password_changes(self) -> None:
        signed_in = self.client_for(self.alice_practitioner_org_a)
        assert signed_in.get(reverse("home")).status_code == 200
        # Signing in made the earlier link stop working (Django's tokens cover the last sign-in): ask again.
        _, html = self.open_link()
        assert "This link does not work" in html
        with emails_sent(self):
            self.client.post(RESET, {"email": "alice@example.org"})
        path, _ = self.open_link(link_in(mail.outbox[-1]))
        response = self.client.post(path, {"new_password1": NEW, "new_password2": NEW})
        assert response["Location"] == COMPLETE
        assert signed_in.get(reverse("home")).status_code == 302

    def test_a_reset_link_does_not_work_as_an_invitation(self) -> None:
        uid, token = self.link.rstrip("/").split("/")[-2:]
        _, html = self.open_link(reverse("accounts:invite_confirm", kwargs={"uidb64": uid, "token": token}))
        assert "This link does not work" in html


class InviteTests(World):
    def setUp(self) -> None:
        self.superuser = User.objects.create_superuser("root_admin", email="root@example.org", password=PASSWORD)
        self.admin = self.client_for(self.superuser)

    def add_user(self, **extra: str) -> object:
        data = {
            "username": "new_worker",
            "first_name": "Nia",
            "last_name": "Worker",
            "email": "nia@example.org",
            "job_title": "Family support worker",
            "membership-TOTAL_FORMS": "1",
            "membership-INITIAL_FORMS": "0",
            "membership-MIN_NUM_FORMS": "0",
            "membership-MAX_NUM_FORMS": "1",
            "membership-0-organisation": str(self.org_a.pk),
            "membership-0-team": str(self.team_a.pk),
            "membership-0-role": Role.PRACTITIONER,
            **extra,
        }
        with emails_sent(self):
            return self.admin.post(reverse("admin:accounts_user_add"), data)

    def test_the_add_form_asks_for_no_password(self) -> None:
        html = self.admin.get(reverse("admin:accounts_user_add")).content.decode()
        assert 'name="email"' in html and 'name="password1"' not in html and 'name="usable_password"' not in html

    def test_a_new_user_is_emailed_a_link_to_set_their_password(self) -> None:
        response = self.add_user()
        assert response.status_code == 302, form_errors(response) or response.content.decode()[:2000]
        user = User.objects.get(username="new_worker")
        assert not user.has_usable_password()
        assert Membership.objects.get(user=user).organisation_id == self.org_a.pk
        (message,) = mail.outbox
        assert message.to == ["nia@example.org"] and "Your username is: new_worker" in message.body
        event = AuditEvent.objects.get(action=actions.ACCOUNT_INVITE)
        assert event.actor_id == self.superuser.pk and event.target_id == str(user.pk)
        assert event.organisation_id == self.org_a.pk
        client = Client()
        page = client.get(link_in(message), follow=True)
        assert "Set your password" in page.content.decode()
        done = client.post(page.request["PATH_INFO"], {"new_password1": NEW, "new_password2": NEW})
        assert done["Location"] == COMPLETE and Client().login(username="new_worker", password=NEW)
        assert AuditEvent.objects.filter(action=actions.PASSWORD_SET, actor=user).exists()

    def test_an_email_address_is_required(self) -> None:
        response = self.add_user(email="")
        assert response.status_code == 200 and not User.objects.filter(username="new_worker").exists()
        assert not mail.outbox

    def test_an_invitation_lasts_longer_than_a_reset_link_but_not_for_ever(self) -> None:
        self.add_user()
        user = User.objects.get(username="new_worker")
        link = link_in(mail.outbox[0])
        after_reset_lifetime = dt.timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT + 60)
        with time_machine.travel(dt.datetime.now(dt.UTC) + after_reset_lifetime):
            assert "Set your password" in Client().get(link, follow=True).content.decode()
        after_invite_lifetime = dt.timedelta(seconds=settings.ACCOUNT_INVITE_TIMEOUT + 60)
        with time_machine.travel(dt.datetime.now(dt.UTC) + after_invite_lifetime):
            assert "This link does not work" in Client().get(link, follow=True).content.decode()
        # A reset token made for the same user does not open the invitation page.
        uid = urlsafe_base64_encode(force_bytes(user.pk))
        reset_token = default_token_generator.make_token(user)
        url = reverse("accounts:invite_confirm", kwargs={"uidb64": uid, "token": reset_token})
        assert "This link does not work" in Client().get(url, follow=True).content.decode()

    def test_someone_who_lost_the_invitation_can_ask_for_a_reset_link(self) -> None:
        self.add_user()
        mail.outbox.clear()
        with emails_sent(self):
            Client().post(RESET, {"email": "nia@example.org"})
        assert len(mail.outbox) == 1 and "Reset your password" in mail.outbox[0].subject

    def test_the_admin_can_send_a_new_link(self) -> None:
        User.objects.filter(pk=self.amir_practitioner_org_a.pk).update(email="amir@example.org")
        with emails_sent(self):
            response = self.admin.post(
                reverse("admin:accounts_user_changelist"),
                {
                    "action": "send_set_password_link",
                    "_selected_action": [self.amir_practitioner_org_a.pk, self.aud_auditor_org_a.pk],
                },
            )
        assert response.status_code == 302
        assert [m.to for m in mail.outbox] == [["amir@example.org"]]
        assert AuditEvent.objects.filter(action=actions.ACCOUNT_INVITE).count() == 1

    def test_the_service_refuses_an_account_without_an_address(self) -> None:
        try:
            passwords.account_invite(user=self.aud_auditor_org_a, by=self.superuser)
        except ValueError:
            pass
        else:
            raise AssertionError("expected a ValueError")
        assert not mail.outbox
