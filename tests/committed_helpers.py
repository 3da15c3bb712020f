"""Rows committed for real, for tests that need real transactions, or another process (gunicorn) to see them.

The append-only tables refuse the flush a transactional test would end with, so each test removes the
organisation it made, with the triggers switched off for the clean-up only.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.db import connection

from accounts.models import Membership, Organisation, Role, User

from .audit_helpers import APPEND_ONLY_TABLES, AUDIT_TABLES, triggers_disabled
from .base import password_hash


@contextmanager
def committed_practitioner(slug: str) -> Iterator[User]:
    """A practitioner (password tests.base.PASSWORD) in an organisation of their own, removed afterwards."""
    ensure_test_database()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT coalesce(max(id), 0) FROM audit_chaincheck), "
            "(SELECT coalesce(max(id), 0) FROM audit_auditcheckpoint)"
        )
        before = tuple(int(n) for n in cursor.fetchone())
    org = Organisation.objects.create(
        name=f"{slug} partnership", slug=slug, reference_prefix=slug[:2].upper(), guidance_edition="2018"
    )
    user = User.objects.create(username=f"{slug}_practitioner", password=password_hash(), first_name="Pat")
    Membership.objects.create(user=user, organisation=org, role=Role.PRACTITIONER)
    try:
        yield user
    finally:
        connection.close()
        remove_organisation(org.pk, checks_after=before[0], checkpoints_after=before[1])


def ensure_test_database() -> None:
    """pytest-django sets up the test database only when a selected test asks for it through a marker or a
    TestCase; these fixtures do not, so a run of them alone would write to the real database."""
    name = str(connection.settings_dict["NAME"])
    if not (name.startswith("test_") or (connection.vendor == "sqlite" and connection.is_in_memory_db())):
        pytest.fail(f"not a test database ({name}): run these tests together with a TestCase test")


def remove_organisation(org_id: int, checks_after: int, checkpoints_after: int) -> None:
    """The organisation and everything of it, and the chain checks and checkpoints made since the given ids
    (a checkpoint of a chain that is gone would fail every later check)."""
    decisions = "SELECT id FROM decisions_decision WHERE organisation_id = %s"
    users = "SELECT user_id FROM accounts_membership WHERE organisation_id = %s"
    chain = f"org:{org_id}"
    with triggers_disabled(*sorted(set(APPEND_ONLY_TABLES) | set(AUDIT_TABLES))), connection.cursor() as cursor:
        # On PostgreSQL the triggers are off through replica mode, which also skips foreign-key checks.
        cursor.execute("DELETE FROM oversight_notification WHERE organisation_id = %s", [org_id])
        cursor.execute("DELETE FROM audit_chaincheckrun WHERE organisation_id = %s", [org_id])
        cursor.execute("DELETE FROM audit_chaincheck WHERE id > %s", [checks_after])
        cursor.execute("DELETE FROM audit_auditcheckpoint WHERE id > %s", [checkpoints_after])
        cursor.execute("DELETE FROM audit_auditevent WHERE organisation_id = %s", [org_id])
        cursor.execute("DELETE FROM audit_chainhead WHERE chain_key = %s", [chain])
        for table in ("decisions_decisionversion", "decisions_decisiondraft"):
            cursor.execute(f"DELETE FROM {table} WHERE decision_id IN ({decisions})", [org_id])
        cursor.execute("DELETE FROM decisions_decision WHERE organisation_id = %s", [org_id])
        cursor.execute("DELETE FROM decisions_referencecounter WHERE organisation_id = %s", [org_id])
        cursor.execute(users, [org_id])
        user_ids = [row[0] for row in cursor.fetchall()]
        cursor.execute("DELETE FROM accounts_membership WHERE organisation_id = %s", [org_id])
        for user_id in user_ids:
            cursor.execute("DELETE FROM audit_auditevent WHERE actor_id = %s", [user_id])
            cursor.execute("DELETE FROM accounts_user WHERE id = %s", [user_id])
        cursor.execute("DELETE FROM accounts_organisation WHERE id = %s", [org_id])
