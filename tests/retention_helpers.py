"""A record old enough to be due for retention review, made through the real services, and a dump of the
whole database to search for what disposal must remove."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import time_machine
from django.db import connection

from accounts.models import User
from decisions import services
from decisions.models import DecisionVersion
from oversight import services as review_services

from .factories import answers_for, list_answer, save_answers

LONDON = ZoneInfo("Europe/London")
# Long enough ago for the default schedule (6 years after last activity when no date of birth is known).
LONG_AGO = dt.datetime(2018, 5, 14, 10, 30, tzinfo=LONDON)

CHILD_NAME = "Zebedee Quartermain"
CHILD_BORN = dt.date(2011, 3, 17)
# Every way the child's name or date of birth could be stored.
TRACES = ["Zebedee", "Quartermain", "ZEBEDEE", "zebedee", "2011-03-17", "17 March 2011", "17/03/2011"]


def at(moment: dt.datetime) -> Any:
    return time_machine.travel(moment, tick=False)


def old_record(
    owner: User, supervisor: User | None = None, *, amended: bool = True, named: bool = True
) -> DecisionVersion:
    """Submitted in 2018 about a named child (date of birth unknown), amended and reviewed then too, so it is
    long due for review."""
    then = {"_0": "1", "_1": "5", "_2": "2018"}
    details: dict[str, Any] = {
        "request": {"case_reference": "QZ-77", **{f"request_date{k}": v for k, v in then.items()}},
        "advice": {f"advice_date{k}": v for k, v in then.items()},
        "consent": {f"consent_date{k}": v for k, v in then.items()},
        "recipients": {"recipients": [{**list_answer("recipients")["recipients"][0], "shared_date": "2018-05-01"}]},
    }
    # The child's date of birth is not known, so the record is due six years after its last activity.
    (person,) = list_answer("people")["people"]
    unknown = {"date_of_birth": "", "birth_date_accuracy": "unknown"}
    details["people"] = {"people": [{**person, **unknown, "full_name": CHILD_NAME if named else "A.B."}]}
    # Answers cleaned today (their dates are checked against today), submitted back then.
    answers = answers_for(overrides=details)
    with at(LONG_AGO):
        draft = save_answers(owner, services.decision_start(by=owner), answers)
        version = services.decision_submit(by=owner, draft=draft)
    if supervisor is not None:
        with at(LONG_AGO + dt.timedelta(days=1)):
            review_services.review_return(
                by=supervisor,
                decision=version.decision,
                version=version,
                comment=f"Say more about {CHILD_NAME} at school.",
            )
    if amended and named:
        changed = answers_for(["request"], {"request": {**details["request"], "purpose": f"About {CHILD_NAME}"}})
        with at(LONG_AGO + dt.timedelta(days=2)):
            draft = services.decision_amend_start(
                by=owner, decision=version.decision, reason=f"Corrected {CHILD_NAME}'s details"
            )
            draft = services.draft_save_step(by=owner, draft=draft, step_key="request", answers=changed["request"])
            version = services.decision_submit(by=owner, draft=draft)
    return version


def database_dump() -> str:
    """Every row of every table as text: SQLite's iterdump, or each PostgreSQL table cast to text."""
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        return "\n".join(connection.connection.iterdump())
    lines = []
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename")
        tables = [row[0] for row in cursor.fetchall()]
        for table in tables:
            # Table names come from the catalogue, quoted.
            cursor.execute(f'SELECT t::text FROM "{table}" t')  # noqa: S608  # nosec B608
            lines += [f"{table}: {row[0]}" for row in cursor.fetchall()]
    return "\n".join(lines)


def traces_in(dump: str) -> list[str]:
    found = []
    for trace in TRACES:
        at_index = dump.find(trace)
        if at_index >= 0:
            found.append(f"{trace!r} in …{dump[max(0, at_index - 200) : at_index + 80]}…")
    return found
