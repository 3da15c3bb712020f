"""Bulk seeding for the performance harness: realistic submitted decisions, fast.

What one seeded decision is, as the services would have written it:
- a `Decision` (submitted, spread over two organisations and the last 24 months, oldest first), one or two
  `DecisionVersion`s (one in ten was returned by its supervisor and amended), one closed `DecisionDraft` per
  version, and a `Review` of each version except the newest fortnight's, which wait in the review queue;
- about ten hash-chained `AuditEvent`s: created, six answers saved, submitted, reviewed, viewed.

Answers come from the real forms (`tests.factories.answers_for`) in four variants (shared with consent,
shared in part, shared without seeking consent, not shared), so the facts the database checks are the ones
the wizard derives; each decision varies them with its own case reference.

Speed: rows go in with PostgreSQL COPY, one connection per table, all streaming at once. The secondary
indexes and unique constraints of the five large tables are dropped first and rebuilt after (a bulk build is
several times faster than maintaining them row by row), and foreign-key triggers are off for the load
(`session_replication_role = replica`: the generator keeps every reference consistent by construction;
CHECK constraints still apply). Hashes are SHA-256 computed in Python over the exact canonical JSON that
`AuditEvent.compute_hash` and `DecisionVersion.compute_content_hash` produce, built from precomputed
fragments rather than `json.dumps` per row, so `verify_audit` passes on the seeded chains.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import psycopg
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone
from psycopg.copy import QueuedLibpqWriter

from accounts.models import Membership, Organisation, Role, Team, User
from audit.models import GENESIS_HASH, ChainHead, chain_key_for
from decisions import wizard
from decisions.models import ReferenceCounter, canonical_json

from .constants import PASSWORD, PRACTITIONERS_PER_ORG, SUPERVISORS_PER_ORG, TOTP_KEY

MONTHS = 24
AWAITING_DAYS = 14
AMENDED_EVERY = 10
# About ten a week over the two years: the practitioners grow with the number of decisions.
DECISIONS_PER_PRACTITIONER = 1000  # one decision in ten: returned by review, then amended
BATCH = 500
UA = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"
RETURN_COMMENT = "Add which lawful basis applies and who agreed to the sharing."
AMEND_REASON = "Added the lawful basis the supervisor asked for."
NULL = "\\N"  # COPY's text format for NULL
# The layout of the questions the seeded answers are in (decisions/wizard.py); part of the hashed content.
LAYOUT = wizard.current_layout("2018")
BIG_TABLES = [
    "decisions_decision",
    "decisions_decisionversion",
    "decisions_decisiondraft",
    "oversight_review",
    "audit_auditevent",
]


def _utc_iso(moment: dt.datetime) -> str:
    """As the models serialise times for hashing; every moment here is already in UTC, so no conversion."""
    return moment.isoformat(timespec="microseconds")


def _copy_text(value: str) -> str:
    """Escape a value for COPY's text format (backslash, tab, newline, carriage return)."""
    return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


# Answers --------------------------------------------------------------------------------------------------

CASE_SLOT = "@@CASE@@"


@dataclass(frozen=True)
class Variant:
    """One way a decision can go: its answers as canonical JSON with a slot for the case reference."""

    name: str
    weight: int
    answers_json: str  # canonical_json of the relevant answers, with CASE_SLOT where the case reference goes
    facts: dict[str, Any]
    steps: list[str]


def _variants() -> list[Variant]:
    from tests.factories import answers_for
    from tests.wizard_helpers import MAIN_PATH, NO_SHARE, NO_SHARE_PATH, SHARE_SOME

    # Without consent, sharing also asks why, and whether the family was told.
    not_sought = [s if s != "consent_outcome" else "consent_not_sought" for s in MAIN_PATH]
    not_sought.insert(not_sought.index("decision") + 1, "without_consent")
    not_sought.insert(not_sought.index("sending"), "open_honest")
    specs: list[tuple[str, int, list[str], dict[str, dict[str, Any]]]] = [
        ("shared_with_consent", 60, list(MAIN_PATH), {}),
        (
            "shared_in_part",
            15,
            list(MAIN_PATH),
            {"decision": SHARE_SOME},
        ),
        ("shared_without_seeking_consent", 15, not_sought, {"consent": {"consent_sought": "no"}}),
        ("not_shared", 10, list(NO_SHARE_PATH), {"decision": NO_SHARE}),
    ]
    variants = []
    for name, weight, steps, overrides in specs:
        overrides = {**overrides, "request": {**overrides.get("request", {}), "case_reference": CASE_SLOT}}
        answers = _placeholder_person(answers_for(steps, overrides))
        assert not wizard.validate_record("2018", answers), (name, wizard.validate_record("2018", answers))
        relevant = wizard.relevant_answers("2018", answers)
        assert list(relevant) == steps, (name, list(relevant), steps)
        variants.append(Variant(name, weight, canonical_json(relevant), wizard.facts(relevant), steps))
    return variants


def _placeholder_person(answers: dict[str, Any]) -> dict[str, Any]:
    """The variant's one person given an id (the rows and links are written by `seed_people`, in bulk: the id
    in a seeded record's answers is a placeholder), and consent asked of them."""
    people = [{**entry, "person_id": 1} for entry in answers["people"]["people"]]
    answers = {**answers, "people": {"people": people}}
    if answers["consent"].get("consent_sought") == "yes":
        answers["consent"] = {**answers["consent"], "consent_from": "1"}
    return answers


# Who ------------------------------------------------------------------------------------------------------


@dataclass
class OrgPeople:
    organisation: Organisation
    teams: list[Team]
    practitioners: list[User]  # the first PRACTITIONERS_PER_ORG sign in for the client and locust
    practitioner_teams: list[Team]
    supervisors: list[User]
    admin: User
    auditor: User


def ensure_people(practitioners_per_org: int = PRACTITIONERS_PER_ORG) -> list[OrgPeople]:
    """Two organisations and their staff, with one known password (hashed once: Argon2 is slow on purpose)."""
    password = make_password(PASSWORD)
    result = []
    for code, name in (("A", "Bench A Partnership"), ("B", "Bench B Partnership")):
        organisation, _ = Organisation.objects.get_or_create(
            # The load (bench/locustfile.py, bench/fault_locustfile.py) walks the July 2018 questions, so new
            # decisions must be made under 2018.
            slug=f"bench-{code.lower()}",
            defaults={"name": name, "reference_prefix": f"B{code}", "guidance_edition": "2018"},
        )
        teams = [
            Team.objects.get_or_create(organisation=organisation, name=f"{label} {code}")[0]
            for label in ("Front door", "Early help", "Schools")
        ]

        lower = code.lower()

        def person(username: str, role: Role, team: Team, organisation: Organisation = organisation) -> User:
            return _person(username, role, team, organisation, password)

        count = max(PRACTITIONERS_PER_ORG, practitioners_per_org)
        practitioner_teams = [teams[i % len(teams)] for i in range(1, count + 1)]
        result.append(
            OrgPeople(
                organisation=organisation,
                teams=teams,
                practitioners=_practitioners(organisation, lower, practitioner_teams, password),
                practitioner_teams=practitioner_teams,
                supervisors=[
                    person(f"super{i}_{lower}", Role.SUPERVISOR, teams[i % len(teams)])
                    for i in range(1, SUPERVISORS_PER_ORG + 1)
                ],
                admin=person(f"admin_{lower}", Role.ADMIN, teams[0]),
                auditor=person(f"auditor_{lower}", Role.AUDITOR, teams[0]),
            )
        )
    return result


def _practitioners(organisation: Organisation, code: str, teams: list[Team], password: str) -> list[User]:
    """prac01_a, prac02_a, ...: one per team entry, made in bulk (a million decisions need hundreds)."""
    names = [f"prac{i:02d}_{code}" for i in range(1, len(teams) + 1)]
    existing = set(User.objects.filter(username__in=names).values_list("username", flat=True))
    missing = [(n, t) for n, t in zip(names, teams, strict=True) if n not in existing]
    made = User.objects.bulk_create(
        User(username=n, password=password, first_name=n.split("_")[0].title(), last_name=f"Bench {code.upper()}")
        for n, _ in missing
    )
    Membership.objects.bulk_create(
        Membership(user=u, organisation=organisation, team=t, role=Role.PRACTITIONER)
        for u, (_, t) in zip(made, missing, strict=True)
    )
    by_name = {u.username: u for u in User.objects.filter(username__in=names)}
    return [by_name[n] for n in names]


def _person(username: str, role: Role, team: Team, organisation: Organisation, password: str) -> User:
    user, created = User.objects.get_or_create(
        username=username,
        defaults={
            "password": password,
            "first_name": username.split("_")[0].title(),
            "last_name": f"Bench {organisation.reference_prefix}",
        },
    )
    if created:
        Membership.objects.create(user=user, organisation=organisation, team=team, role=role)
        _authenticator_app(user, role)
    return user


def _authenticator_app(user: User, role: Role) -> None:
    """A confirmed TOTP device for roles that must verify in two steps, when two-step verification exists."""
    from django.apps import apps

    if role == Role.PRACTITIONER or not apps.is_installed("django_otp.plugins.otp_totp"):
        return
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.create(user=user, name="Authenticator app", key=TOTP_KEY, confirmed=True)


# Indexes --------------------------------------------------------------------------------------------------


@dataclass
class SavedIndexes:
    constraints: list[tuple[str, str, str]] = field(default_factory=list)  # table, name, definition
    indexes: list[str] = field(default_factory=list)  # CREATE INDEX statements


def drop_secondary_indexes(cursor: Any, tables: list[str]) -> SavedIndexes:
    """Drop every index but the primary keys (which foreign keys need), remembering how to rebuild them."""
    saved = SavedIndexes()
    cursor.execute(
        """SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid)
           FROM pg_constraint c WHERE c.contype = 'u' AND c.conrelid::regclass::text = ANY(%s)""",
        [tables],
    )
    saved.constraints = list(cursor.fetchall())
    cursor.execute(
        """SELECT i.indexdef FROM pg_indexes i
           WHERE i.schemaname = 'public' AND i.tablename = ANY(%s)
             AND i.indexname NOT IN (SELECT conname FROM pg_constraint WHERE contype IN ('p', 'u'))""",
        [tables],
    )
    saved.indexes = [row[0] for row in cursor.fetchall()]
    for table, name, _ in saved.constraints:
        cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    for definition in saved.indexes:
        name = definition.split(" INDEX ", 1)[1].split(" ON ", 1)[0]
        cursor.execute(f"DROP INDEX {name}")
    return saved


# The generator --------------------------------------------------------------------------------------------


@dataclass
class Chain:
    key: str
    seq: int
    last_hash: str


@dataclass
class Streams:
    """One open COPY per table, each on its own connection, fed in step."""

    copies: dict[str, Any]
    buffers: dict[str, list[str]]

    def add(self, table: str, line: str) -> None:
        self.buffers[table].append(line)

    def flush(self) -> None:
        for table, lines in self.buffers.items():
            if lines:
                self.copies[table].write("".join(lines))
                lines.clear()


COLUMNS = {
    "decisions_decision": (
        "id, organisation_id, team_id, owner_id, reference, edition, status, review_status, created_at, "
        "updated_at, current_version_id, submitted_at, outcome, case_reference"
    ),
    "decisions_decisionversion": (
        "id, decision_id, number, edition, answers, content_hash, submitted_at, submitted_by_id, previous_id, "
        "amendment_reason, outcome, consent_status, consent_not_sought_reasons, lawful_basis, special_category, "
        "special_category_condition, layout, sharing_method, recipient_agencies"
    ),
    "decisions_decisiondraft": (
        "id, decision_id, created_by_id, answers, amends_version_id, amendment_reason, created_at, updated_at, "
        "last_step, submitted_version_id, layout, unfinished"
    ),
    "oversight_review": "id, decision_id, version_id, reviewer_id, outcome, comment, created_at",
    "audit_auditevent": (
        "id, chain_key, seq, occurred_at, actor_id, actor_label, organisation_id, action, target_type, "
        "target_id, target_ref, details, ip_address, user_agent, prev_hash, hash"
    ),
}


def _next_ids(cursor: Any) -> dict[str, int]:
    ids = {}
    for table in COLUMNS:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}")  # noqa: S608 - table names are constants
        ids[table] = cursor.fetchone()[0]
    return ids


class EventWriter:
    """Appends events to an organisation's chain: the canonical payload from fixed fragments, then SHA-256."""

    def __init__(self, streams: Streams, chain: Chain, organisation_id: int, take: Callable[[str], int]) -> None:
        self.streams = streams
        self.chain = chain
        self.org = organisation_id
        self.take = take
        self.written = 0

    def write(
        self,
        *,
        at: dt.datetime,
        actor: User,
        ip: str,
        action: str,
        target_id: int,
        target_ref: str,
        details: str,  # canonical JSON (sorted keys, compact) of the details dict
    ) -> None:
        chain = self.chain
        seq = chain.seq + 1
        at_iso = _utc_iso(at)
        # Keys in sorted order, exactly as AuditEvent.canonical_payload() serialises with sort_keys=True.
        payload = (
            f'{{"action":"{action}","actor":{actor.pk},"actor_label":"{actor.username}","at":"{at_iso}",'
            f'"chain":"{chain.key}","details":{details},"ip":"{ip}","org":{self.org},"prev":"{chain.last_hash}",'
            f'"seq":{seq},"target_id":"{target_id}","target_ref":"{target_ref}",'
            f'"target_type":"decisions.decision","ua":"{UA}"}}'
        )
        digest = hashlib.sha256(payload.encode("utf-8")).hexdigest()
        self.streams.add(
            "audit_auditevent",
            f"{self.take('audit_auditevent')}\t{chain.key}\t{seq}\t{at_iso}\t{actor.pk}\t{actor.username}\t{self.org}\t{action}\t"
            f"decisions.decision\t{target_id}\t{target_ref}\t{_copy_text(details)}\t{ip}\t{UA}\t"
            f"{chain.last_hash}\t{digest}\n",
        )
        self.written += 1
        chain.seq = seq
        chain.last_hash = digest


@functools.lru_cache(maxsize=256)
def _details(**values: Any) -> str:
    return json.dumps(values, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


@dataclass
class SeedReport:
    decisions: int
    versions: int
    reviews: int
    events: int
    seconds: float
    phases: dict[str, float]


def seed(decisions: int, *, now: dt.datetime | None = None, progress: Callable[[str], None] = print) -> SeedReport:
    """Add `decisions` submitted decisions (with everything that goes with them) to the database."""
    started = time.monotonic()
    phases: dict[str, float] = {}
    now = (now or timezone.now()).astimezone(dt.UTC)
    per_org_decisions = -(-decisions // 2)
    people = ensure_people(-(-per_org_decisions // DECISIONS_PER_PRACTITIONER))
    variants = _variants()
    wheel = [v for v in variants for _ in range(v.weight)]
    dsn = _dsn()

    with connection.cursor() as cursor:
        ids = _next_ids(cursor)
        saved = drop_secondary_indexes(cursor, BIG_TABLES)
    heads = {h.chain_key: h for h in ChainHead.objects.all()}
    chains = {}
    for org in people:
        key = chain_key_for(org.organisation.pk)
        head = heads.get(key)
        chains[org.organisation.pk] = Chain(key, head.last_seq if head else 0, head.last_hash if head else GENESIS_HASH)
    phases["prepare"] = time.monotonic() - started

    connections = {table: psycopg.connect(dsn) for table in COLUMNS}
    copies = {}
    contexts = []
    for table, conn in connections.items():
        conn.execute("SET session_replication_role = replica")
        conn.execute("SET synchronous_commit = off")
        # Answers (2.6 kB) are compressed on the way in; lz4 does that several times faster than pglz.
        conn.execute("SET default_toast_compression = lz4")
        raw = conn.cursor()
        # A queued writer sends from its own thread, so PostgreSQL parses while Python generates.
        context = raw.copy(f"COPY {table} ({COLUMNS[table]}) FROM STDIN", writer=QueuedLibpqWriter(raw))
        copies[table] = context.__enter__()
        contexts.append(context)
    streams = Streams(copies, {table: [] for table in COLUMNS})

    counts = {"versions": 0, "reviews": 0}
    span = dt.timedelta(days=round(MONTHS * 365.25 / 12))
    first_moment = now - span
    awaiting_after = now - dt.timedelta(days=AWAITING_DAYS)
    per_org = [decisions // 2 + (1 if i < decisions % 2 else 0) for i in range(2)]
    counters: dict[tuple[int, int], int] = {
        (c.organisation_id, c.year): c.last_number
        for c in ReferenceCounter.objects.filter(organisation__in=[p.organisation for p in people])
    }
    next_id = dict(ids)

    def take(table: str) -> int:
        value = next_id[table]
        next_id[table] = value + 1
        return value

    # Both organisations' events share the table's id sequence, interleaved as they would be in real use.
    writers = {
        o.organisation.pk: EventWriter(streams, chains[o.organisation.pk], o.organisation.pk, take) for o in people
    }

    generate_started = time.monotonic()
    total = sum(per_org)
    made = 0
    for k in range(max(per_org)):
        for o, org in enumerate(people):
            if k >= per_org[o]:
                continue
            _one_decision(
                k=k,
                count=per_org[o],
                org=org,
                variant=wheel[(k * 7 + o) % len(wheel)],
                first_moment=first_moment,
                span=span,
                awaiting_after=awaiting_after,
                streams=streams,
                events=writers[org.organisation.pk],
                counters=counters,
                take=take,
                counts=counts,
            )
            made += 1
        if made % BATCH < 2:
            streams.flush()
        if made and made % 100_000 < 2:
            progress(f"  seeded {made:,} of {total:,} decisions ({time.monotonic() - generate_started:.0f} s)")
    streams.flush()
    for context in contexts:
        context.__exit__(None, None, None)
    for conn in connections.values():
        conn.commit()
        conn.close()
    phases["generate_and_copy"] = time.monotonic() - generate_started

    index_started = time.monotonic()
    _rebuild(dsn, saved)
    phases["indexes"] = time.monotonic() - index_started

    finish_started = time.monotonic()
    with transaction.atomic():
        for org in people:
            chain = chains[org.organisation.pk]
            ChainHead.objects.update_or_create(
                chain_key=chain.key, defaults={"last_seq": chain.seq, "last_hash": chain.last_hash}
            )
        for (org_id, year), last in counters.items():
            ReferenceCounter.objects.update_or_create(organisation_id=org_id, year=year, defaults={"last_number": last})
        with connection.cursor() as cursor:
            for table in COLUMNS:
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"  # noqa: S608
                )
    people_started = time.monotonic()
    seed_people(first_decision_id=ids["decisions_decision"])
    phases["people"] = time.monotonic() - people_started

    # VACUUM as autovacuum would have done long before a table is two years old: it sets the visibility map
    # that index-only scans (counts, for one) rely on, which a fresh bulk load lacks.
    _on_two_connections(dsn, [f"VACUUM (ANALYZE) {t}" for t in [*BIG_TABLES, *PEOPLE_TABLES]] + ["ANALYZE"])
    phases["vacuum_analyze"] = time.monotonic() - finish_started

    # The dashboard's running counts, as the services would have kept them row by row.
    counts_started = time.monotonic()
    from oversight.summary import rebuild

    rebuild()
    _on_two_connections(dsn, ["VACUUM (ANALYZE) decisions_decisioncount"])
    phases["dashboard_counts"] = time.monotonic() - counts_started
    events = sum(w.written for w in writers.values())
    return SeedReport(total, counts["versions"], counts["reviews"], events, time.monotonic() - started, phases)


# People on the records (for the search page): one child per decision, named from these lists, so a full name
# such as "Amara Okafor" is shared by about one person in 13,000 at every size; every other decision also names
# the child of the decision two before it (the same organisation) as another child.
FIRST_NAMES = [
    "Amara",
    "Zoë",
    "Oliver",
    "Amelia",
    "Noah",
    "Isla",
    "Leo",
    "Ava",
    "Arlo",
    "Mia",
    "Theo",
    "Ivy",
    "Freddie",
    "Lily",
    "Oscar",
    "Florence",
    "Archie",
    "Chloé",
    "Jack",
    "Sofia",
    "Harry",
    "Grace",
    "Henry",
    "Ella",
    "Charlie",
    "Evie",
    "Finley",
    "Aria",
    "Alfie",
    "Maya",
    "Muhammad",
    "Rosie",
    "Thomas",
    "Willow",
    "Joshua",
    "Poppy",
    "Reuben",
    "Seren",
    "Kai",
    "Niamh",
    "Ruairí",
    "Aoife",
    "Dylan",
    "Olivia",
    "Jacob",
    "Emily",
    "Kofi",
    "Ayesha",
    "Tomás",
    "Sienna",
]
SURNAMES = [
    "Okafor",
    "Smith",
    "Jones",
    "Williams",
    "Taylor",
    "Brown",
    "Davies",
    "Evans",
    "Wilson",
    "Thomas",
    "Roberts",
    "Johnson",
    "Lewis",
    "Walker",
    "Robinson",
    "Wood",
    "Thompson",
    "White",
    "Watson",
    "Jackson",
    "Wright",
    "Green",
    "Harris",
    "Cooper",
    "King",
    "Lee",
    "Martin",
    "Clarke",
    "James",
    "Morgan",
    "Hughes",
    "Edwards",
    "Hill",
    "Moore",
    "Clark",
    "Harrison",
    "Scott",
    "Young",
    "Morris",
    "Hall",
    "Ward",
    "Turner",
    "Carter",
    "Phillips",
    "Mitchell",
    "Patel",
    "Adams",
    "Campbell",
    "Anderson",
    "Allen",
    "Cook",
    "Bailey",
    "Parker",
    "Miller",
    "Davis",
    "Murphy",
    "Price",
    "Bell",
    "Baker",
    "Griffiths",
    "Kelly",
    "Simpson",
    "Marshall",
    "Collins",
    "Bennett",
    "Cox",
    "Richardson",
    "Fox",
    "Gray",
    "Rose",
    "Chapman",
    "Hunt",
    "Robertson",
    "Shaw",
    "Reynolds",
    "Lloyd",
    "Ellis",
    "Richards",
    "Russell",
    "Wilkinson",
    "Khan",
    "Graham",
    "Stewart",
    "Reid",
    "Murray",
    "Powell",
    "Palmer",
    "Holmes",
    "Rogers",
    "Stevens",
    "Walsh",
    "Hunter",
    "Thomson",
    "Matthews",
    "Ross",
    "Owen",
    "Mason",
    "Knight",
    "Kennedy",
    "Butler",
    "Saunders",
    "Cole",
    "Pearce",
    "Dean",
    "Foster",
    "Harvey",
    "Hudson",
    "Gibson",
    "Mills",
    "Berry",
    "Barnes",
    "Pearson",
    "Kaur",
    "Booth",
    "Dixon",
    "Grant",
    "Gordon",
    "Lane",
    "Harper",
    "Ali",
    "Hart",
    "Mcdonald",
    "Brooks",
    "Carr",
    "Macdonald",
    "Hamilton",
    "Ryan",
    "O'Brien",
    "Ahmed",
    "Singh",
    "Jenkins",
    "Dunn",
    "Wallace",
    "Byrne",
    "Begum",
    "Fisher",
    "Jordan",
    "Nowak",
    "Kowalski",
    "Nguyen",
    "Achterberg",
    "Ferreira",
    "Silva",
    "Rossi",
    "Murphy-Jones",
    "Abara",
    "Mensah",
    "Boateng",
    "Adeyemi",
    "Okonkwo",
    "Hussain",
    "Rahman",
    "Chowdhury",
    "Iqbal",
    "Sharma",
    "Gupta",
    "Mistry",
    "Das",
    "Chen",
    "Wang",
    "Li",
    "Zhang",
    "Liu",
    "Yilmaz",
    "Demir",
    "Kaya",
    "Popescu",
    "Ionescu",
    "Horvath",
    "Novak",
    "Petrov",
    "Ivanova",
    "Sokolov",
    "Costa",
    "Santos",
    "Pereira",
    "Oliveira",
    "Rodrigues",
    "Garcia",
    "Fernandez",
    "Lopez",
    "Martinez",
    "Sanchez",
    "Romero",
    "Alvarez",
    "Navarro",
    "Moreno",
    "Jimenez",
    "Ruiz",
    "Diaz",
    "Ortiz",
    "Gomez",
    "Marin",
    "Castro",
    "Suarez",
    "Vargas",
    "Molina",
    "Delgado",
    "Cruz",
    "Reyes",
    "Morales",
    "Nunez",
    "Rios",
    "Medina",
    "Aguilar",
    "Pena",
    "Vega",
    "Soto",
    "Leon",
    "Flores",
    "Guerrero",
    "Herrera",
    "Mendoza",
    "Campos",
    "Cortes",
    "Ramos",
    "Ortega",
    "Rubio",
    "Gil",
    "Blanco",
    "Sanz",
    "Iglesias",
    "Lozano",
    "Cano",
    "Prieto",
    "Mendez",
    "Calvo",
    "Gallego",
    "Vidal",
    "Leal",
]
PEOPLE_TABLES = ["decisions_person", "decisions_decisionperson"]
TRIGRAM_INDEX = "person_search_name_trgm"


def _sql_array(words: list[str]) -> str:
    return "ARRAY[" + ",".join("'" + w.replace("'", "''") + "'" for w in words) + "]"


def seed_people(*, first_decision_id: int) -> None:
    """A child for each decision seeded from `first_decision_id` on, and the links, made by the database itself.

    The trigram index is dropped for the load and built again after (a GIN index built in one go is many times
    faster than one maintained row by row).
    """
    accents = ("ëéèáíóúñç", "eeeaiounc")
    with transaction.atomic(), connection.cursor() as cursor:
        # As for the COPY: the rows refer only to rows that exist, so the foreign-key triggers are skipped.
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(f"DROP INDEX IF EXISTS {TRIGRAM_INDEX}")
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM decisions_person")
        offset = cursor.fetchone()[0]
        cursor.execute(
            f"""INSERT INTO decisions_person
                   (id, organisation_id, full_name, search_name, date_of_birth, birth_date_accuracy, created_at,
                    created_by_id)
               SELECT d.id + %s, d.organisation_id, n.name, translate(lower(n.name), %s, %s),
                      DATE '2008-01-01' + (d.id * 37 %% 6000)::int, 'exact', d.created_at, d.owner_id
               FROM decisions_decision d
               CROSS JOIN LATERAL (
                   SELECT ({_sql_array(FIRST_NAMES)})[1 + d.id %% {len(FIRST_NAMES)}] || ' ' ||
                          ({_sql_array(SURNAMES)})[1 + (d.id / {len(FIRST_NAMES)}) %% {len(SURNAMES)}] AS name
               ) n
               WHERE d.id >= %s""",  # noqa: S608 - the arrays are this module's constants
            [offset, *accents, first_decision_id],
        )
        cursor.execute(
            """INSERT INTO decisions_decisionperson (decision_id, person_id, part, protect_identity, position)
               SELECT d.id, d.id + %s, 'child', false, 0 FROM decisions_decision d WHERE d.id >= %s
               UNION ALL
               SELECT d.id, d2.id + %s, 'other_child', false, 1
               FROM decisions_decision d
               JOIN decisions_decision d2 ON d2.id = d.id - 2 AND d2.organisation_id = d.organisation_id
               WHERE d.id >= %s AND d.id %% 2 = 1 AND d2.id >= %s""",
            [offset, first_decision_id, offset, first_decision_id, first_decision_id],
        )
        for table in PEOPLE_TABLES:
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"  # noqa: S608
            )
        cursor.execute(f"CREATE INDEX {TRIGRAM_INDEX} ON decisions_person USING gin (search_name gin_trgm_ops)")


def _rebuild(dsn: str, saved: SavedIndexes) -> None:
    """Rebuild the dropped indexes on two connections at once (two cores), the audit table's first."""
    statements = [f'ALTER TABLE {t} ADD CONSTRAINT "{n}" {d}' for t, n, d in saved.constraints] + saved.indexes
    statements.sort(key=lambda s: ("audit_auditevent" not in s, s))
    _on_two_connections(dsn, statements)


def _on_two_connections(dsn: str, statements: list[str]) -> None:
    """Run the statements in order, two at a time, each on its own autocommit connection."""
    conns = [psycopg.connect(dsn, autocommit=True) for _ in range(2)]
    for conn in conns:
        conn.execute("SET maintenance_work_mem = '512MB'")
        conn.execute("SET max_parallel_maintenance_workers = 0")
    queue = list(statements)
    busy: dict[int, Any] = {}
    # Each connection runs one statement at a time without blocking the other: psycopg's non-blocking
    # send plus a poll on the socket.
    import selectors

    selector = selectors.DefaultSelector()
    for i, conn in enumerate(conns):
        conn.pgconn.nonblocking = 1
        selector.register(conn.pgconn.socket, selectors.EVENT_READ, i)

    def start(i: int) -> None:
        if queue:
            statement = queue.pop(0)
            conns[i].pgconn.send_query(statement.encode())
            busy[i] = statement

    for i in range(len(conns)):
        start(i)
    while busy:
        for key, _ in selector.select():
            i = key.data
            pgconn = conns[i].pgconn
            pgconn.consume_input()
            if pgconn.is_busy():
                continue
            while (result := pgconn.get_result()) is not None:
                if result.status != psycopg.pq.ExecStatus.COMMAND_OK:
                    raise RuntimeError(f"{busy[i]}: {result.error_message.decode()}")
            del busy[i]
            start(i)
    for conn in conns:
        conn.close()


def _dsn() -> str:
    db = settings.DATABASES["default"]
    return psycopg.conninfo.make_conninfo(
        dbname=db["NAME"], user=db.get("USER") or "postgres", host=db.get("HOST") or "", port=str(db.get("PORT") or "")
    )


def _one_decision(
    *,
    k: int,
    count: int,
    org: OrgPeople,
    variant: Variant,
    first_moment: dt.datetime,
    span: dt.timedelta,
    awaiting_after: dt.datetime,
    streams: Streams,
    events: EventWriter,
    counters: dict[tuple[int, int], int],
    take: Callable[[str], int],
    counts: dict[str, int],
) -> None:
    spacing = span / count
    start = first_moment + spacing * k
    step_gap = min(dt.timedelta(seconds=90), spacing / 14)
    org_id = org.organisation.pk
    # Ten in a row per practitioner, so every practitioner has amended decisions (k % 10 == 9) too.
    owner_index = (k // AMENDED_EVERY) % len(org.practitioners)
    owner = org.practitioners[owner_index]
    team = org.practitioner_teams[owner_index]
    supervisor = org.supervisors[k % len(org.supervisors)]
    owner_ip = f"10.{org_id % 250}.{owner.pk // 250 % 250}.{owner.pk % 250 + 1}"
    supervisor_ip = f"10.{org_id % 250}.{supervisor.pk // 250 % 250}.{supervisor.pk % 250 + 1}"
    year = start.astimezone(dt.UTC).year
    number = counters.get((org_id, year), 0) + 1
    counters[(org_id, year)] = number
    reference = f"{org.organisation.reference_prefix}-{year}-{number:05d}"
    case_reference = f"CASE-{org_id}-{k:07d}"
    answers_json = variant.answers_json.replace(CASE_SLOT, case_reference)
    answers_copy = _copy_text(answers_json)
    facts = variant.facts
    decision_id = take("decisions_decision")
    amended = k % AMENDED_EVERY == AMENDED_EVERY - 1

    moment = start
    events.write(
        at=moment, actor=owner, ip=owner_ip, action="decision_create", target_id=decision_id, target_ref=reference,
        details=_details(edition="2018"),
    )  # fmt: skip
    for step in variant.steps[::2]:
        moment += step_gap
        events.write(
            at=moment, actor=owner, ip=owner_ip, action="decision_step_save", target_id=decision_id,
            target_ref=reference, details=_details(changed=True, step=step),
        )  # fmt: skip

    previous_hash = ""
    previous_id: int | None = None
    version_numbers = [1, 2] if amended else [1]
    current_version_id = 0
    review_status = ""
    submitted_at = moment
    for number_v in version_numbers:
        if number_v > 1:
            moment += step_gap
            events.write(
                at=moment, actor=owner, ip=owner_ip, action="decision_amend_start", target_id=decision_id,
                target_ref=reference, details=_details(amends_version=number_v - 1),
            )  # fmt: skip
        moment += step_gap
        submitted_at = moment
        version_id = take("decisions_decisionversion")
        reason = AMEND_REASON if number_v > 1 else ""
        # canonical_content() serialised with sorted keys, as DecisionVersion.compute_content_hash() does.
        content = (
            f'{{"amendment_reason":{json.dumps(reason)},"answers":{answers_json},"edition":"2018",'
            f'"layout":{LAYOUT},"organisation":{org_id},"previous_hash":"{previous_hash}","reference":"{reference}",'
            f'"submitted_at":"{_utc_iso(moment)}","submitted_by":{owner.pk},"version":{number_v}}}'
        )
        content_hash = hashlib.sha256(content.encode("utf-8")).hexdigest()
        streams.add(
            "decisions_decisionversion",
            f"{version_id}\t{decision_id}\t{number_v}\t2018\t{answers_copy}\t{content_hash}\t{_utc_iso(moment)}\t"
            f"{owner.pk}\t{previous_id or NULL}\t{reason}\t{facts['outcome']}\t"
            f"{facts['consent_status']}\t{facts['consent_not_sought_reasons']}\t{facts['lawful_basis']}\t"
            f"{'t' if facts['special_category'] else 'f'}\t{facts['special_category_condition']}\t{LAYOUT}\t"
            f"{facts['sharing_method']}\t{_copy_text(facts['recipient_agencies'])}\n",
        )
        draft_created = start if number_v == 1 else moment - step_gap
        streams.add(
            "decisions_decisiondraft",
            f"{take('decisions_decisiondraft')}\t{decision_id}\t{owner.pk}\t{answers_copy}\t"
            f"{previous_id or NULL}\t{reason}\t{_utc_iso(draft_created)}\t{_utc_iso(moment)}\t"
            f"{variant.steps[-1]}\t{version_id}\t{LAYOUT}\t{{}}\n",
        )
        counts["versions"] += 1
        events.write(
            at=moment, actor=owner, ip=owner_ip, action="decision_submit", target_id=decision_id,
            target_ref=reference,
            details=f'{{"content_hash":"{content_hash}","outcome":"{facts["outcome"]}","version":{number_v}}}',
        )  # fmt: skip
        current_version_id = version_id
        review_status = "awaiting"
        if moment < awaiting_after:
            returned = amended and number_v == 1
            moment += step_gap
            review_id = take("oversight_review")
            comment = RETURN_COMMENT if returned else ""
            streams.add(
                "oversight_review",
                f"{review_id}\t{decision_id}\t{version_id}\t{supervisor.pk}\t{'return' if returned else 'approve'}\t"
                f"{comment}\t{_utc_iso(moment)}\n",
            )
            counts["reviews"] += 1
            events.write(
                at=moment, actor=supervisor, ip=supervisor_ip,
                action="review_return" if returned else "review_approve", target_id=decision_id,
                target_ref=reference,
                details=f'{{"comment":{json.dumps(comment)},"review":{review_id},"version":{number_v}}}',
            )  # fmt: skip
            review_status = "returned" if returned else "signed_off"
        previous_hash = content_hash
        previous_id = version_id
    updated_at = moment
    moment += step_gap
    events.write(
        at=moment, actor=supervisor, ip=supervisor_ip, action="decision_view", target_id=decision_id,
        target_ref=reference, details=_details(version=version_numbers[-1]),
    )  # fmt: skip
    streams.add(
        "decisions_decision",
        f"{decision_id}\t{org_id}\t{team.pk}\t{owner.pk}\t{reference}\t2018\tsubmitted\t{review_status}\t"
        f"{_utc_iso(start)}\t{_utc_iso(updated_at)}\t{current_version_id}\t{_utc_iso(submitted_at)}\t"
        f"{facts['outcome']}\t{case_reference}\n",
    )


def iter_sample(limit: int) -> Iterator[int]:
    """Ids of a few seeded versions, for checks."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM decisions_decisionversion ORDER BY id LIMIT %s", [limit])
        for (pk,) in cursor.fetchall():
            yield pk
