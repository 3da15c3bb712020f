"""Every URL pattern x every role x own and other organisation x GET and POST, against one declared table.

The URL list comes from the resolver, so a new URL that is not declared in ACCESS fails the test. Each
request runs in a savepoint that is rolled back, so every cell starts from the same records. A "leak" is a
response that lets someone in (2xx or 3xx) where the table says they may not; the target is none.
"""

from __future__ import annotations

import copy
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from accounts.models import User
from decisions import services
from exports.models import BulkExport, ExportStatus, SubjectAccessRequest

from .base import World
from .factories import answers_for, make_submitted_decision
from .storage_helpers import exports_in
from .test_security import inline_code

# Who is asking. OWNER made the records the URLs point at; PRACTITIONER is another practitioner of the
# same organisation. Members of the other organisation are checked under their role's name.
ANONYMOUS = "anonymous"
OWNER = "owner"
PRACTITIONER = "practitioner"
SUPERVISOR = "supervisor"
ADMIN = "admin"
AUDITOR = "auditor"
NO_ORG = "no_organisation"
SUPERUSER = "superuser"

PRACTITIONERS = frozenset({OWNER, PRACTITIONER})
MEMBERS = PRACTITIONERS | {SUPERVISOR, ADMIN, AUDITOR}
SIGNED_IN = MEMBERS | {NO_ORG, SUPERUSER}
EVERYONE = SIGNED_IN | {ANONYMOUS}
LOGIN_PATH = "/accounts/login/"


@dataclass(frozen=True)
class Access:
    """Who may use a URL in their own organisation, and what they get."""

    get: frozenset[str] = frozenset()
    post: frozenset[str] = frozenset()
    methods: tuple[str, ...] = ("GET",)
    # The status an allowed request gets (per role where it differs).
    get_status: int | dict[str, int] = 200
    post_status: int | dict[str, int] = 302
    # The URL names one of the first organisation's records: the other organisation gets 404, never 403.
    org_record: bool = False
    # Where a refused request is sent instead of a 403/404 (the Django admin's own sign-in page).
    refused_redirect: str = ""


def _set(*roles: str) -> frozenset[str]:
    return frozenset(roles)


ACCESS: dict[str, Access] = {
    "home": Access(get=SIGNED_IN),
    "healthz": Access(get=EVERYONE),
    "accounts:login": Access(
        get=EVERYONE,
        post=EVERYONE,
        methods=("GET", "POST"),
        # Signed-in people are sent on; the empty form is shown again with its errors.
        get_status={ANONYMOUS: 200, **dict.fromkeys(SIGNED_IN, 302)},
        post_status={ANONYMOUS: 200, **dict.fromkeys(SIGNED_IN, 302)},
    ),
    "accounts:logout": Access(post=SIGNED_IN, methods=("POST",)),
    "accounts:security": Access(get=SIGNED_IN),
    "accounts:two_factor_setup": Access(get=SIGNED_IN, post=SIGNED_IN, methods=("GET", "POST"), post_status=200),
    "accounts:two_factor_verify": Access(get=SIGNED_IN, post=SIGNED_IN, methods=("GET", "POST"), get_status=302),
    "accounts:two_factor_recovery_codes": Access(
        get=SIGNED_IN, post=SIGNED_IN, methods=("GET", "POST"), get_status=302
    ),
    # Supervisors, admins, auditors and staff may not turn two-step verification off.
    "accounts:two_factor_disable": Access(post=PRACTITIONERS | {NO_ORG}, methods=("POST",)),
    # Password reset is for people who cannot sign in; its pages say the same to everyone. A made-up link
    # (the table's) shows "This link does not work" to any method.
    "accounts:password_reset": Access(get=EVERYONE, post=EVERYONE, methods=("GET", "POST"), post_status=200),
    "accounts:password_reset_sent": Access(get=EVERYONE),
    "accounts:password_reset_confirm": Access(get=EVERYONE, post=EVERYONE, methods=("GET", "POST"), post_status=200),
    "accounts:password_reset_complete": Access(get=EVERYONE),
    "accounts:invite_confirm": Access(get=EVERYONE, post=EVERYONE, methods=("GET", "POST"), post_status=200),
    "decisions:list": Access(get=MEMBERS),
    "decisions:start": Access(get=PRACTITIONERS, post=PRACTITIONERS, methods=("GET", "POST")),
    "decisions:detail": Access(get=_set(OWNER, SUPERVISOR, ADMIN, AUDITOR), org_record=True),
    "decisions:step": Access(
        get=_set(OWNER), post=_set(OWNER), methods=("GET", "POST"), post_status=200, org_record=True
    ),
    "decisions:check": Access(
        get=_set(OWNER), post=_set(OWNER), methods=("GET", "POST"), post_status=200, org_record=True
    ),
    "decisions:amend": Access(
        get=_set(OWNER), post=_set(OWNER), methods=("GET", "POST"), post_status=200, org_record=True
    ),
    "decisions:discard": Access(
        get=_set(OWNER), post=_set(OWNER), methods=("GET", "POST"), post_status=200, org_record=True
    ),
    # Everyone who reads decisions may read a person of their organisation (and the decisions they may see).
    "decisions:person": Access(get=MEMBERS, org_record=True),
    # Only the owner records a follow-up (the family told, the information sent): a record of its own, not an
    # amendment. The matrix's record has none open, so the owner is sent back to the decision.
    "decisions:follow_up": Access(
        get=_set(OWNER), post=_set(OWNER), methods=("GET", "POST"), get_status=302, org_record=True
    ),
    "audit:log": Access(get=_set(SUPERVISOR, AUDITOR)),
    "audit:export": Access(get=_set(SUPERVISOR, AUDITOR)),
    # Auditors read the chain status; only admins run the check.
    "audit:chain": Access(get=_set(ADMIN, AUDITOR), post=_set(ADMIN), methods=("GET", "POST")),
    "oversight:queue": Access(get=_set(SUPERVISOR)),
    "oversight:approve": Access(get=_set(SUPERVISOR), post=_set(SUPERVISOR), methods=("GET", "POST"), org_record=True),
    "oversight:return": Access(
        get=_set(SUPERVISOR), post=_set(SUPERVISOR), methods=("GET", "POST"), post_status=200, org_record=True
    ),
    "oversight:dashboard": Access(get=_set(SUPERVISOR, ADMIN, AUDITOR)),
    "oversight:organisation": Access(get=_set(ADMIN), post=_set(ADMIN), methods=("GET", "POST"), post_status=200),
    "oversight:organisation_edition": Access(
        get=_set(ADMIN), post=_set(ADMIN), methods=("GET", "POST"), post_status=200
    ),
    "retention:due": Access(get=_set(ADMIN)),
    "retention:disposed": Access(get=_set(ADMIN)),
    # An empty POST chooses no action: the page says so (400).
    "retention:record": Access(
        get=_set(ADMIN), post=_set(ADMIN), methods=("GET", "POST"), post_status=400, org_record=True
    ),
    "retention:organisation_hold": Access(get=_set(ADMIN), post=_set(ADMIN), methods=("GET", "POST"), post_status=200),
    # Disposing of a draft nobody has saved for ABANDONED_DRAFT_DAYS (a fresh one is refused, with a message).
    "retention:draft_dispose": Access(post=_set(ADMIN), methods=("POST",), org_record=True),
    "exports:start": Access(get=_set(ADMIN), post=_set(ADMIN), methods=("GET", "POST"), post_status=200),
    "exports:detail": Access(get=_set(ADMIN), org_record=True),
    "exports:progress": Access(get=_set(ADMIN), org_record=True),
    "exports:retry": Access(post=_set(ADMIN), methods=("POST",), org_record=True),
    "exports:download": Access(get=_set(ADMIN), org_record=True),
    "exports:subject_access": Access(get=_set(ADMIN), post=_set(ADMIN), methods=("GET", "POST"), post_status=400),
    "exports:subject_access_detail": Access(get=_set(ADMIN), org_record=True),
    "exports:subject_access_progress": Access(get=_set(ADMIN), org_record=True),
    "exports:subject_access_retry": Access(post=_set(ADMIN), methods=("POST",), org_record=True),
    "exports:subject_access_download": Access(get=_set(ADMIN), org_record=True),
    # Open to anyone: the PDF sends its reader here (issue 24 item 8).
    "exports:verify": Access(get=EVERYONE, post=EVERYONE, methods=("GET", "POST"), post_status=200),
    "exports:decision_pdf": Access(get=_set(ADMIN, AUDITOR), org_record=True),
    # The Django admin is for superusers; only its index is requested (the rest is Django's own checks).
    "admin:index": Access(
        get=_set(SUPERUSER),
        post=_set(SUPERUSER),
        methods=("GET", "POST"),
        post_status=200,
        refused_redirect="/django-admin/login/",
    ),
}
ADMIN_NAMESPACE = "admin"
ADMIN_PREFIX = "django-admin/"
NOT_URLS = {"static", "media"}


def url_names() -> Iterator[tuple[str, str]]:
    """(name, route) of every named pattern the project serves."""

    def walk(patterns: list[Any], prefix: str, namespace: str) -> Iterator[tuple[str, str]]:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
            elif isinstance(pattern, URLPattern):
                yield (
                    (f"{namespace}{pattern.name}" if pattern.name else f"(unnamed) {prefix}{pattern.pattern}"),
                    (prefix + str(pattern.pattern)),
                )

    yield from walk(get_resolver().url_patterns, "", "")


def covered_names() -> tuple[set[str], set[str]]:
    """The URL names the table must declare, and the Django admin's routes (covered by its index)."""
    names, admin_routes = set(), set()
    for name, route in url_names():
        if name.startswith(f"{ADMIN_NAMESPACE}:") or route.startswith(ADMIN_PREFIX):
            admin_routes.add(route)
        elif name not in NOT_URLS:
            names.add(name)
    return names, admin_routes


@dataclass
class Actor:
    key: str  # the role name the table uses
    label: str
    client: Client
    own_org: bool = True
    # Text a page for this person must never contain (records they may not see).
    must_not_see: list[str] = field(default_factory=list)


class AuthorisationMatrixTests(World):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.superuser = User.objects.create_superuser("root_superuser", password=None)
        cls.version = make_submitted_decision(cls.alice_practitioner_org_a)
        cls.submitted_ref = cls.version.decision.reference
        cls.person_pk = cls.version.decision.people_links.get().person_id
        draft = services.decision_start(by=cls.alice_practitioner_org_a)
        services.draft_save_step(
            by=cls.alice_practitioner_org_a,
            draft=draft,
            step_key="request",
            answers=answers_for(["request"])["request"],
        )
        cls.draft_ref = draft.decision.reference
        now = timezone.now()
        cls.export = BulkExport.objects.create(
            organisation=cls.org_a,
            requested_by=cls.ada_admin_org_a,
            submitted_from=now.date(),
            submitted_to=now.date(),
            verify_url="http://testserver/exports/verify",
            status=ExportStatus.READY,
            total=1,
            done=1,
            created_at=now,
            updated_at=now,
            finished_at=now,
            expires_at=now + timezone.timedelta(hours=24),
            file_size=22,
            file_name="matrix.zip",
        )
        cls.subject_access = SubjectAccessRequest.objects.create(
            organisation=cls.org_a,
            requested_by=cls.ada_admin_org_a,
            verify_url="http://testserver/exports/verify",
            status=ExportStatus.READY,
            total=1,
            done=1,
            created_at=now,
            updated_at=now,
            finished_at=now,
            expires_at=now + timezone.timedelta(hours=24),
            file_size=22,
            file_name="matrix.zip",
        )

    def setUp(self) -> None:
        folder = self.enterContext(tempfile.TemporaryDirectory())
        self.enterContext(override_settings(STORAGES=exports_in(folder)))
        Path(folder, "matrix.zip").write_bytes(b"PK\x05\x06" + b"\0" * 18)

    def kwargs_for(self, name: str) -> dict[str, Any]:
        records = {"reference": self.submitted_ref}
        return {
            "decisions:detail": records,
            "decisions:amend": records,
            "decisions:follow_up": {**records, "kind": "family-told"},
            "decisions:person": {"pk": self.person_pk},
            "exports:decision_pdf": records,
            "retention:record": records,
            "decisions:step": {"reference": self.draft_ref, "step": "request"},
            "decisions:check": {"reference": self.draft_ref},
            "decisions:discard": {"reference": self.draft_ref},
            "retention:draft_dispose": {"reference": self.draft_ref},
            "oversight:approve": {"reference": self.submitted_ref, "number": 1},
            "oversight:return": {"reference": self.submitted_ref, "number": 1},
            "accounts:password_reset_confirm": {"uidb64": "MQ", "token": "made-up"},
            "accounts:invite_confirm": {"uidb64": "MQ", "token": "made-up"},
            "exports:detail": {"pk": self.export.pk},
            "exports:progress": {"pk": self.export.pk},
            "exports:retry": {"pk": self.export.pk},
            "exports:download": {"pk": self.export.pk},
            "exports:subject_access_detail": {"pk": self.subject_access.pk},
            "exports:subject_access_progress": {"pk": self.subject_access.pk},
            "exports:subject_access_retry": {"pk": self.subject_access.pk},
            "exports:subject_access_download": {"pk": self.subject_access.pk},
        }.get(name, {})

    def actors(self) -> list[Actor]:
        org_a_records = [self.submitted_ref, self.draft_ref, self.org_a.name]
        own = [
            Actor(OWNER, "alice (practitioner, owner)", self.client_for(self.alice_practitioner_org_a)),
            Actor(
                PRACTITIONER,
                "amir (practitioner)",
                self.client_for(self.amir_practitioner_org_a),
                must_not_see=[self.submitted_ref, self.draft_ref],
            ),
            Actor(SUPERVISOR, "sue (supervisor)", self.client_for(self.sue_supervisor_org_a)),
            Actor(ADMIN, "ada (admin)", self.client_for(self.ada_admin_org_a)),
            Actor(AUDITOR, "aud (auditor)", self.client_for(self.aud_auditor_org_a)),
        ]
        other = [
            Actor(PRACTITIONER, "bob (practitioner, org B)", self.client_for(self.bob_practitioner_org_b)),
            Actor(SUPERVISOR, "sid (supervisor, org B)", self.client_for(self.sid_supervisor_org_b)),
            Actor(ADMIN, "bea (admin, org B)", self.client_for(self.bea_admin_org_b)),
            Actor(AUDITOR, "ben (auditor, org B)", self.client_for(self.ben_auditor_org_b)),
        ]
        for actor in other:
            actor.own_org = False
            actor.must_not_see = org_a_records
        return [
            Actor(ANONYMOUS, "anonymous", Client(), must_not_see=org_a_records),
            Actor(
                NO_ORG, "nobody (no organisation)", self.client_for(self.nobody_without_org), must_not_see=org_a_records
            ),
            Actor(SUPERUSER, "superuser (no organisation)", self.client_for(self.superuser)),
            *own,
            *other,
        ]

    def expected(self, access: Access, method: str, actor: Actor) -> tuple[bool, set[int]]:
        """(allowed, the statuses that are right)."""
        allowed_roles = access.get if method == "GET" else access.post
        declared = access.get_status if method == "GET" else access.post_status
        public = ANONYMOUS in access.get | access.post
        if actor.key == ANONYMOUS and not public:
            return False, {302}  # to the sign-in page, checked below
        if method not in access.methods:
            return False, {405}
        if actor.key in allowed_roles:
            status = declared[actor.key] if isinstance(declared, dict) else declared
            if access.org_record and not actor.own_org:
                return False, {404}
            return True, {status}
        if access.refused_redirect:
            return False, {302}
        return False, {403, 404}

    def request(self, actor: Actor, method: str, url: str) -> Any:
        # The database and the browser's cookies go back to how they were: every cell starts the same,
        # whatever the one before did (signed out, submitted, left a message).
        cookies = copy.deepcopy(actor.client.cookies)
        with transaction.atomic():
            response = actor.client.get(url) if method == "GET" else actor.client.post(url, {})
            # (The test client closes the response itself; closing it again here would also close the
            # database connection, as at the end of a real request.)
            body = b"".join(response.streaming_content) if response.streaming else response.content
            transaction.set_rollback(True)
        actor.client.cookies = cookies
        return response, body

    def test_every_url_every_role_both_organisations_both_methods(self) -> None:
        names, admin_routes = covered_names()
        missing = sorted(names - set(ACCESS))
        assert not missing, (
            "These URLs are not in the permission table (tests/test_authz_matrix.py ACCESS); declare who may "
            f"use them: {missing}"
        )
        stale = sorted(set(ACCESS) - names - {"admin:index"})
        assert not stale, f"The permission table names URLs that no longer exist: {stale}"
        assert all(route.startswith(ADMIN_PREFIX) for route in admin_routes), admin_routes

        leaks: list[str] = []
        wrong: list[str] = []
        cells = 0
        actors = self.actors()
        for name, access in sorted(ACCESS.items()):
            url = reverse(name, kwargs=self.kwargs_for(name))
            for actor in actors:
                for method in ("GET", "POST"):
                    cells += 1
                    allowed, statuses = self.expected(access, method, actor)
                    response, body = self.request(actor, method, url)
                    status = response.status_code
                    where = f"{method} {url} ({name}) as {actor.label}: {status}"
                    location = response.get("Location", "")
                    if actor.key == ANONYMOUS and statuses == {302} and not allowed:
                        sign_in_pages = (LOGIN_PATH, access.refused_redirect or LOGIN_PATH)
                        if status != 302 or not location.startswith(sign_in_pages):
                            (leaks if status < 400 else wrong).append(f"{where}, expected the sign-in page")
                        continue
                    if access.refused_redirect and not allowed and status == 302:
                        if not location.startswith(access.refused_redirect):
                            leaks.append(f"{where} -> {location}")
                        continue
                    if status not in statuses:
                        (leaks if not allowed and status < 400 else wrong).append(f"{where}, expected {statuses}")
                        continue
                    if 200 <= status < 300 and response.get("Content-Type", "").startswith("text/html"):
                        html = body.decode()
                        seen = [text for text in actor.must_not_see if text in html]
                        if seen:
                            leaks.append(f"{where} shows {seen}")
                        if inline_code(html):
                            wrong.append(f"{where} has inline code the CSP blocks: {inline_code(html)[:3]}")
                        if "Content-Security-Policy" not in response:
                            wrong.append(f"{where} has no Content-Security-Policy")

        summary = f"{len(ACCESS)} URL names x {len(actors)} people x 2 methods = {cells} requests"
        assert cells == len(ACCESS) * len(actors) * 2
        assert not leaks, f"{len(leaks)} leaks in {summary}:\n" + "\n".join(leaks)
        assert not wrong, f"{len(wrong)} unexpected answers in {summary}:\n" + "\n".join(wrong)
        print(f"\nAuthorisation matrix: {summary}, 0 leaks")  # noqa: T201 - shown with -s
