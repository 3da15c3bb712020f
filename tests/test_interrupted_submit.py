"""A submit that fails half way leaves no partial record and no orphan audit event."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from unittest import mock

import pytest
from django.db import connection, connections
from django.db.utils import Error as DatabaseLayerError
from django.urls import reverse

from accounts.models import Membership, Organisation, Role, User
from audit import services as audit_services
from audit.models import AuditEvent
from audit.verify import verify_chains
from decisions import services
from decisions.models import Decision, DecisionDraft, DecisionVersion

from .audit_helpers import triggers_disabled
from .base import World
from .factories import answers_for, save_answers


class Boom(Exception):
    pass


def ready_draft(owner: User) -> DecisionDraft:
    return save_answers(owner, services.decision_start(by=owner), answers_for())


def fail_after(target: Any, name: str, when: Callable[..., bool] = lambda *a, **k: True) -> Any:
    """Patch `target.name` so it runs, then raises (the write happened; what comes next does not)."""
    original = getattr(target, name)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        result = original(*args, **kwargs)
        if when(*args, **kwargs):
            raise Boom(f"interrupted after {name}")
        return result

    return mock.patch.object(target, name, wrapper)


def fail_before(target: Any, name: str, when: Callable[..., bool]) -> Any:
    original = getattr(target, name)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if when(*args, **kwargs):
            raise Boom(f"interrupted at {name}")
        return original(*args, **kwargs)

    return mock.patch.object(target, name, wrapper)


INTERRUPTIONS = {
    # Right after the first write: the version row exists, nothing else does yet.
    "after the version is written": lambda: fail_after(DecisionVersion, "save"),
    "after the draft is marked submitted": lambda: fail_after(
        DecisionDraft, "save", lambda self, *a, **k: "submitted_version" in (k.get("update_fields") or [])
    ),
    "after the decision is updated": lambda: fail_after(
        Decision, "save", lambda self, *a, **k: "current_version" in (k.get("update_fields") or [])
    ),
    "while writing the audit event": lambda: fail_before(
        audit_services, "record", lambda *a, **k: k.get("action") == "decision_submit"
    ),
}


class InterruptedSubmitTests(World):
    def assert_nothing_submitted(self, draft: DecisionDraft, events_before: int) -> None:
        draft.refresh_from_db()
        decision = Decision.objects.get(pk=draft.decision_id)
        assert draft.submitted_version_id is None and draft.is_open
        assert decision.status == "draft" and decision.current_version_id is None and decision.submitted_at is None
        assert not DecisionVersion.objects.filter(decision=decision).exists()
        assert not AuditEvent.objects.filter(action="decision_submit", target_ref=decision.reference).exists()
        assert AuditEvent.objects.count() == events_before
        report = verify_chains(save=False)
        assert report.ok, report.message

    def test_each_interruption_rolls_back_everything(self) -> None:
        for label, interruption in INTERRUPTIONS.items():
            with self.subTest(label):
                draft = ready_draft(self.alice_practitioner_org_a)
                events_before = AuditEvent.objects.count()
                with interruption(), pytest.raises(Boom):
                    services.decision_submit(by=self.alice_practitioner_org_a, draft=draft)
                self.assert_nothing_submitted(draft, events_before)
                # Nothing is left half-locked or half-written: the same draft submits cleanly afterwards.
                version = services.decision_submit(by=self.alice_practitioner_org_a, draft=draft)
                assert version.number == 1
                assert AuditEvent.objects.filter(action="decision_submit", target_ref=version.decision.reference)

    def test_through_the_page_the_user_sees_an_error_and_can_submit_again(self) -> None:
        draft = ready_draft(self.alice_practitioner_org_a)
        client = self.client_for(self.alice_practitioner_org_a)
        client.raise_request_exception = False
        events_before = AuditEvent.objects.count()  # after the sign-in, which is audited too
        url = reverse("decisions:check", kwargs={"reference": draft.decision.reference})
        with INTERRUPTIONS["after the version is written"]():
            response = client.post(url, {"declaration": "on"})
        assert response.status_code == 500
        assert "Sorry, there is a problem" in response.content.decode()
        self.assert_nothing_submitted(draft, events_before)
        assert client.post(url, {"declaration": "on"}).status_code == 302
        assert DecisionVersion.objects.filter(decision=draft.decision).count() == 1


# PostgreSQL: the database connection is killed in the middle of the submit transaction, as when the
# process dies. Real commits are needed, so this runs outside the test transaction and cleans up after.


@pytest.fixture
def committed_world(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    with django_db_blocker.unblock():
        org = Organisation.objects.create(
            name="Killed connection", slug="killed-conn", reference_prefix="KC", guidance_edition="2018"
        )
        user = User.objects.create(username="killed_conn_practitioner")
        Membership.objects.create(user=user, organisation=org, role=Role.PRACTITIONER)
        yield user
        connection.close()
        with triggers_disabled("decisions_decisionversion"), connection.cursor() as cursor:
            # Replica mode (set by triggers_disabled on PostgreSQL) also skips foreign-key checks.
            cursor.execute("DELETE FROM audit_auditevent WHERE organisation_id = %s", [org.pk])
            cursor.execute("DELETE FROM audit_chainhead WHERE chain_key = %s", [f"org:{org.pk}"])
            for table in ("decisions_decisionversion", "decisions_decisiondraft"):
                cursor.execute(
                    f"DELETE FROM {table} WHERE decision_id IN "
                    "(SELECT id FROM decisions_decision WHERE organisation_id = %s)",
                    [org.pk],
                )
            cursor.execute("DELETE FROM decisions_decision WHERE organisation_id = %s", [org.pk])
            cursor.execute("DELETE FROM decisions_referencecounter WHERE organisation_id = %s", [org.pk])
            cursor.execute("DELETE FROM accounts_membership WHERE organisation_id = %s", [org.pk])
            cursor.execute("DELETE FROM accounts_user WHERE id = %s", [user.pk])
            cursor.execute("DELETE FROM accounts_organisation WHERE id = %s", [org.pk])


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="kills a server backend: PostgreSQL only")
def test_connection_killed_mid_submit_leaves_nothing(committed_world: User) -> None:
    user = committed_world
    draft = ready_draft(user)
    events_before = AuditEvent.objects.filter(organisation=user.membership.organisation).count()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]

    def kill(*args: Any, **kwargs: Any) -> Any:
        result = original_save(*args, **kwargs)
        other = connections.create_connection("default")
        try:
            with other.cursor() as cursor:
                # Waits (up to 5 s) until the backend has gone, so the next statement surely fails.
                cursor.execute("SELECT pg_terminate_backend(%s, 5000)", [pid])
        finally:
            other.close()
        return result

    original_save = DecisionVersion.save
    with mock.patch.object(DecisionVersion, "save", kill), pytest.raises(DatabaseLayerError):
        services.decision_submit(by=user, draft=draft)
    connection.close()

    draft.refresh_from_db()
    assert draft.submitted_version_id is None
    assert Decision.objects.get(pk=draft.decision_id).status == "draft"
    assert not DecisionVersion.objects.filter(decision_id=draft.decision_id).exists()
    org = user.membership.organisation
    assert AuditEvent.objects.filter(organisation=org).count() == events_before
    assert not AuditEvent.objects.filter(organisation=org, action="decision_submit").exists()
    assert verify_chains(save=False).ok
    # And the draft submits once the service is back.
    assert services.decision_submit(by=user, draft=draft).number == 1


def test_interruptions_cover_the_first_write() -> None:
    """Guard: if decision_submit's first write changes, the list above must follow it."""
    import inspect

    source = inspect.getsource(services.decision_submit)
    writes = [source.find(w) for w in ("version.save()", "draft.save(", "decision.save(", "audit_decision(")]
    assert -1 not in writes and writes == sorted(writes)
