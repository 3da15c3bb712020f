"""Sample decisions for the demonstration (`manage.py seed_demo`): every state a decision can be in, and six
months of history behind them, so each role's pages are filled from the first sign-in.

Everything is made through the services, as a practitioner and a supervisor would make it: each page's
answers go through the page's own form, drafts are saved page by page, submitted, reviewed, amended. So the
audit chain holds (`manage.py verify_audit`), the dashboard counts are the running counts, and every PDF
renders.

How it is built, so it can be extended:
- One function per state (`draft`, `awaiting_review`, `returned`, `signed_off`, `amended`, ...). Each is a
  *script*: a generator that yields the moment of its next act and acts when the scheduler reaches it.
  `seed_samples` runs the scripts of one organisation together in time order, with the clock the services
  see moved to each moment (time-machine), so the audit trail reads in order.
- What a decision says is a *variant*: changes to `pages()`, the answers a practitioner types on each page
  (form data, as posted). Which pages apply is the current layout's business (`flow.first_unanswered`); a
  page the variant has no data for stops the seeding with its name.
- `SCHEDULE` lists the decisions (state, age, variant); each has a case reference `DEMO-<ORG>-<nn>`, which is
  how a second run knows it made it already (and makes only samples added since).
"""

from __future__ import annotations

import datetime as dt
import heapq
from collections.abc import Callable, Generator, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from accounts.models import Organisation, ReviewTiming, User
from decisions import forms, people, selectors, wizard
from decisions import services as decision_services
from decisions.examples import EXAMPLE_POSTS_2024, page_data
from decisions.flow import Step
from decisions.models import Decision, DecisionDraft, DecisionVersion

from . import services as review_services

# A script yields the moment of its next act; the scheduler resumes it then.
Script = Generator[dt.datetime, None, None]
Pages = dict[str, dict[str, Any]]

MINUTE = dt.timedelta(minutes=1)
HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)
# How far back the samples go: the people join then, on a new database.
HISTORY_DAYS = 180


@dataclass(frozen=True)
class Cast:
    """The demo people of one organisation."""

    organisation: Organisation
    short: str  # "north", "south": in case references
    practitioner: User
    supervisor: User
    admin: User
    auditor: User


@dataclass(frozen=True)
class Someone:
    """A made-up person a sample is about, as typed on the people page's "Add someone new" form."""

    full_name: str
    born: dt.date | None  # None: date of birth not known
    part: str  # g.PERSON_PARTS
    protect_identity: bool = False


@dataclass(frozen=True)
class Case:
    """The made-up family and request a sample is about. Each case comes back in several samples, so the same
    people are found on the people page and added again (one `Person` row, many decisions)."""

    people: tuple[Someone, ...]
    requester_name: str
    requester_role: str
    requester_agency: str
    purpose: str
    description: str


CASES = [
    Case(
        (Someone("Jamie Brook", dt.date(2015, 5, 4), "child"), Someone("Karen Brook", None, "parent_carer")),
        "PC Jane Smith",
        "Police constable",
        "Northshire Police",
        "Strategy discussion about bruising seen at school",
        "Attendance record and notes of two conversations with the child",
    ),
    Case(
        (
            Someone("Aisha Khan", dt.date(2019, 1, 12), "child"),
            Someone("Rehan Khan", dt.date(2019, 1, 12), "other_child"),
            Someone("Nadia Khan", dt.date(1990, 6, 1), "parent_carer"),
        ),
        "Dr Amir Hussain",
        "GP",
        "Riverside Medical Practice",
        "Assessment of neglect concerns raised by the health visitor",
        "Home visit notes and the family's contact with early help",
    ),
    Case(
        (Someone("Tyler Morgan", dt.date(2011, 9, 30), "child"), Someone("Dawn Morgan", None, "parent_carer")),
        "Ms Lorna Reid",
        "Designated safeguarding lead",
        "Castle Hill Academy",
        "Planning support after the young person disclosed going missing overnight",
        "Dates of missing episodes and the return home interview",
    ),
    Case(
        (
            # Her address must not reach the man she left: identity protected.
            Someone("Claire Lewis", dt.date(1988, 2, 14), "parent_carer", protect_identity=True),
            Someone("Mia Lewis", dt.date(2017, 3, 8), "child"),
            Someone("Sophie Lewis", dt.date(2020, 7, 21), "other_child"),
        ),
        "Mr Dev Patel",
        "Independent domestic violence adviser",
        "Safe Steps Domestic Abuse Service",
        "Risk assessment conference (MARAC) after a reported incident",
        "Police call-outs known to children's services and the children's school attendance",
    ),
    Case(
        (Someone("Oliver Nowak", dt.date(2023, 3, 2), "child"), Someone("Ewa Nowak", None, "parent_carer")),
        "Ms Grace Owusu",
        "Health visitor",
        "Community Health Trust",
        "Checking whether a baby's injury was reported before",
        "Previous contacts with the family and any earlier child protection plan",
    ),
    Case(
        (Someone("Kyle Walker", dt.date(2008, 7, 17), "child"), Someone("Paul Walker", None, "parent_carer")),
        "Mr Tom Fraser",
        "Youth justice worker",
        "Youth Justice Service",
        "Planning a safe return to school after exclusion",
        "Exclusion record, care plan and the young person's own views",
    ),
]


def _date_fields(name: str, day: dt.date) -> dict[str, str]:
    return {f"{name}_0": str(day.day), f"{name}_1": str(day.month), f"{name}_2": str(day.year)}


PEOPLE = "people"
RECIPIENTS = "recipients"


def _new_person_post(someone: Someone) -> dict[str, Any]:
    post: dict[str, Any] = {
        "full_name": someone.full_name,
        "birth_date_accuracy": "exact" if someone.born else "unknown",
        "part": someone.part,
    }
    if someone.born:
        post.update(_date_fields("date_of_birth", someone.born))
    if someone.protect_identity:
        post["protect_identity"] = "on"
    return post


def _recipient_post(agency: str, person: str, contact: str, day: dt.date, time: str = "15:30") -> dict[str, Any]:
    return {
        "agency": agency,
        "person": person,
        "contact": contact,
        **_date_fields("shared_date", day),
        "shared_time": time,
        "method": "secure_email",
    }


def pages(case: Case, case_reference: str, asked_on: dt.date) -> Pages:
    """What a practitioner types on every page, on the main path: another agency asked, consent was given,
    all of it shared. Variants change this."""
    return {
        "request": {
            "request_origin": "other_agency",
            "requester_name": case.requester_name,
            "requester_role": case.requester_role,
            "requester_agency": case.requester_agency,
            **_date_fields("request_date", asked_on),
            "case_reference": case_reference,
            "purpose": case.purpose,
        },
        # The people page: resolved to `Person` rows (found again, or added) when the page is answered.
        PEOPLE: {"people": [_new_person_post(someone) for someone in case.people]},
        "information": {
            "categories": ["family", "education"],
            "special_category": "no",
            "criminal_offence": "no",
            "description": case.description,
        },
        "advice": {
            "advice_sought": "yes",
            "advice_sources": ["dsl", "manager"],
            "advice_from": "Mrs Patel, designated safeguarding lead",
            **_date_fields("advice_date", asked_on),
            "identity_withheld": "no",
            "advice_given": "Share what is relevant to the purpose; leave out unrelated family history",
        },
        # consent_from names a part: the first person on the record with it (resolved with the people).
        "consent": {
            "consent_sought": "yes",
            "consent_from": "parent_carer",
            **_date_fields("consent_date", asked_on),
            "consent_how": "phone",
            "young_person": "no",
        },
        "consent_outcome": {"consent_outcome": "given"},
        "consent_not_sought": {
            "reasons": ["delay"],
            "reason_delay": "The strategy discussion was the same afternoon",
        },
        "safety": {
            "impact_of_sharing": f"{case.requester_agency} can assess the risk with full information",
            "impact_of_not_sharing": "The risk of harm would be judged without what we know",
        },
        "necessary": {"necessary": "yes", "proportionate": "yes"},
        "decision": {"outcome": "share_all", "reasons": "Necessary to protect the child; the family agreed"},
        "without_consent": {"justification": "The risk of significant harm outweighs the family's wishes"},
        "lawful_basis": {"article6": "e_public_task", "statutory_gateways": ["ca1989_s47", "ca2004_s11"]},
        "special_category": {"article9": "9_2_g_substantial_public_interest", "schedule1": "para_18"},
        "criminal_offence": {"criminal_condition": "para_18"},
        "quality": {"relevant": "yes", "need_to_know": "yes", "adequate": "yes", "accurate": "yes", "timely": "yes"},
        "open_honest": {"told": "yes", "told_detail": "I told the mother by phone what would be shared and why"},
        "sending": {"secure_detail": "Sent to the named person's secure address"},
        # The recipients page: one "add" form posted per recipient.
        RECIPIENTS: {
            "recipients": [
                _recipient_post(case.requester_agency, case.requester_name, "safeguarding@agency.example", asked_on)
            ]
        },
        "requester_told": {
            "requester_told": "yes",
            "requester_told_how": f"Phoned {case.requester_name} the same day",
        },
        "alternatives": {"offered": ["advice"], "offered_detail": "Offered a meeting to talk through the concern"},
    }


# Variants: what each kind of decision changes on the main path's pages. ------------------------------------

Variant = Callable[[Pages], None]


def with_consent(p: Pages) -> None:
    """The main path as it is."""


def shared_in_part(p: Pages) -> None:
    p["decision"] = {
        "outcome": "share_some",
        "shared_part": "The attendance pattern this term",
        "withheld": "The older sibling's health history: not relevant to this concern",
        "reasons": "Only the attendance pattern is needed for the assessment",
    }


def not_sought(p: Pages, reasons: Iterable[str] = ("delay",)) -> None:
    p["consent"] = {"consent_sought": "no"}
    page: dict[str, Any] = {"reasons": list(reasons)}
    explanations = {
        "delay": ("reason_delay", "The strategy discussion was the same afternoon"),
        "parent_reaction": ("reason_parent_reaction", "The father has threatened staff when told of concerns"),
        "evidence_loss": ("reason_evidence_loss", "Messages on the child's phone could be deleted"),
    }
    for reason in page["reasons"]:
        name, text = explanations[reason]
        page[name] = text
    p["consent_not_sought"] = page
    p["decision"]["reasons"] = "Necessary to protect the child from significant harm"
    p["open_honest"] = {
        "told": "no",
        "not_told_reason": "Telling the family now could put the child at risk",
        "tell_later": "no",
    }


def not_sought_tell_later(p: Pages) -> None:
    """Not sought, and the family to be told once the child is safe: a follow-up due on the record."""
    not_sought(p)
    asked_on = _date_from_fields(p["request"], "request_date")
    p["open_honest"] = {
        "told": "no",
        "not_told_reason": "Telling the family before the strategy discussion could put the child at risk",
        "tell_later": "yes",
        **_date_fields("tell_by", asked_on + dt.timedelta(days=14)),
        "tell_who": "Alex, the social worker, at the next home visit",
    }


def three_recipients(p: Pages) -> None:
    """Shared with the requester, the school and the health visitor (three entries on the recipients page)."""
    asked_on = _date_from_fields(p["request"], "request_date")
    p[RECIPIENTS]["recipients"] += [
        _recipient_post("Castle Hill Academy", "Designated safeguarding lead", "dsl@castlehill.example", asked_on),
        _recipient_post("Community Health Trust", "Health visitor", "0161 496 0000", asked_on, "16:10"),
    ]
    p[RECIPIENTS]["recipients"][2]["method"] = "phone"
    p[RECIPIENTS]["recipients"][2]["given"] = "Only the date of the next strategy discussion"


def _date_from_fields(post: dict[str, Any], name: str) -> dt.date:
    return dt.date(int(post[f"{name}_2"]), int(post[f"{name}_1"]), int(post[f"{name}_0"]))


def not_sought_parent_reaction(p: Pages) -> None:
    not_sought(p, ("parent_reaction",))


def not_sought_evidence(p: Pages) -> None:
    not_sought(p, ("evidence_loss", "delay"))


def refused(p: Pages) -> None:
    p["consent_outcome"] = {
        "consent_outcome": "refused",
        "consent_outcome_detail": "The mother said she does not want the school involved",
    }
    p["decision"]["reasons"] = "The risk of significant harm outweighs the refusal"


def could_not_be_obtained(p: Pages) -> None:
    p["consent"] = {**p["consent"], "consent_how": "in_person"}
    p["consent_outcome"] = {
        "consent_outcome": "not_obtained",
        "consent_not_obtained_detail": "Not at home on three visits and not answering the phone",
    }


def sensitive(p: Pages) -> None:
    """Health and police information: special category and criminal offence data."""
    p["information"] = {
        "categories": ["health", "police", "family"],
        "special_category": "yes",
        "criminal_offence": "yes",
        "description": "The mother's mental health assessment and a police caution for assault",
    }


def not_shared(p: Pages) -> None:
    p["decision"] = {
        "outcome": "no_share",
        "no_share_reasons": ["no_role"],
        "reasons": "The request is for a general check; they do not need the information for this purpose",
    }


def not_shared_not_needed(p: Pages) -> None:
    p["necessary"] = {
        "necessary": "no",
        "necessary_explanation": "The school already has the information it needs",
        "proportionate": "yes",
    }
    p["decision"] = {
        "outcome": "no_share",
        "no_share_reasons": ["not_necessary"],
        "reasons": "Sharing would not be necessary: the school already knows",
    }
    p["alternatives"] = {"offered": ["referral"], "offered_detail": "Referred the family to early help"}


def combine(*variants: Variant) -> Variant:
    def apply(p: Pages) -> None:
        for variant in variants:
            variant(p)

    return apply


# A sample, and the steps scripts are made of ---------------------------------------------------------------


State = Callable[["Sample"], Script]


@dataclass
class Sample:
    """One decision to make: who, when it starts, what it says, and what happens to it."""

    cast: Cast
    number: int
    start: dt.datetime
    case: Case
    state: State
    variant: Variant = with_consent
    decision: Decision | None = field(default=None, init=False)

    @property
    def case_reference(self) -> str:
        return f"DEMO-{self.cast.short.upper()}-{self.number:02d}"

    def pages(self, edition: str = "2018") -> Pages:
        p = pages(self.case, self.case_reference, timezone.localdate(self.start))
        self.variant(p)
        return pages_2024(self.case, p) if edition == "2024" else p


# Pages the May 2024 edition asks the same way as the 2018 one's layout 3 (the rest come from its examples).
SAME_IN_2024 = (
    "request",
    PEOPLE,
    "information",
    "advice",
    "consent",
    "consent_outcome",
    "safety",
    "necessary",
    "decision",
    "without_consent",
    "special_category",
    "criminal_offence",
    "quality",
    "sending",
    RECIPIENTS,
    "requester_told",
    "alternatives",
)


def pages_2024(case: Case, p: Pages) -> Pages:
    """The same decision asked under the May 2024 edition. The variant's choices carry over; what 2024 asks
    differently comes from its examples: its reasons for not asking for consent, its lawful basis page, rule 2
    (engaging the family: not told, and to be told later, as the variant says) and rule 5, answered for each
    person whose identity is protected."""
    posts = EXAMPLE_POSTS_2024
    q: Pages = {key: dict(p[key]) for key in SAME_IN_2024}
    for key in ("consent_not_sought", "lawful_basis", "consent_basis"):
        q[key] = dict(posts[key])
    told = p["open_honest"]
    if told.get("told") == "no":
        q["engage"] = {
            "engaged": "no",
            "not_engaged_reason": told["not_told_reason"],
            **{k: v for k, v in told.items() if k.startswith("tell_")},
        }
    else:
        q["engage"] = dict(posts["engage"])
    # By name, as the page asks (resolved to the record's people when it is answered).
    q["protect_identities"] = {
        s.full_name: f"Their address and contact details are left out of what is shared, and {case.requester_agency} "
        "agreed not to tell anyone who could harm them where they are"
        for s in case.people
        if s.protect_identity
    }
    return q


def answer_pages(
    sample: Sample, draft: DecisionDraft, at: dt.datetime, changes: Pages | None = None, stop_after: str = ""
) -> Generator[dt.datetime, None, DecisionDraft]:
    """Answer every page that applies, in order, a few minutes apart: from the sample's pages (or, for an
    amendment, only the pages in `changes`). Stops after `stop_after`, for a draft left half done."""
    typed = sample.pages(draft.decision.edition) if changes is None else changes
    flow = wizard.flow_of(draft)
    for key in typed if changes is not None else _keys_in_order(flow, typed):
        step = flow.step(key)
        if step is None:
            raise LookupError(f"Demo sample {sample.case_reference}: the current questions have no page '{key}'")
        yield at
        # Made at its moment: a person added on the people page is audited then.
        answers = _page_answers(sample, step, typed[key], forms.people_in(draft.answers))
        draft = decision_services.draft_save_step(
            by=sample.cast.practitioner, draft=draft, step_key=key, answers=answers
        )
        at += 3 * MINUTE
        if key == stop_after:
            break
    return draft


def _page_answers(
    sample: Sample | None, step: Step, data: dict[str, Any], on_record: list[dict[str, Any]]
) -> dict[str, Any]:
    """A page's answers as its form stores them. The list pages are built an entry at a time, as their "add"
    forms would; people are found again on the organisation's records or added (`sample` None: a dry run
    for the page order, nobody is added)."""
    where = sample.case_reference if sample else "(page order)"
    uses_people = getattr(step.form_class, "uses_people", False)
    if step.form_class is forms.PeopleForm:
        data = {"people": [_person_entry(sample, post, number) for number, post in enumerate(data["people"], 1)]}
    elif step.form_class is forms.RecipientsForm:
        data = {"recipients": [_entry_answers(forms.RecipientForm, post, where) for post in data["recipients"]]}
    elif step.key == "protect_identities" and uses_people:
        # Answered by name: each protected person on the record, as the page lists them.
        data = page_data(step.key, data, on_record)
    elif uses_people and data.get("consent_from"):
        # The first person on the record with the part named, as the practitioner picks them.
        part = data["consent_from"]
        chosen = next((p for p in on_record if p.get("part") == part), on_record[0] if on_record else None)
        data = {**data, "consent_from": str(chosen["person_id"]) if chosen else ""}
    form = step.form_class(data=data)
    if uses_people:
        form.set_people(on_record)  # type: ignore[attr-defined]
    if not form.is_valid():
        raise ValueError(f"Demo sample {where}, page '{step.key}': {form.errors.as_text()}")
    return form.to_answers()


def _entry_answers(form_class: type[forms.StepForm], post: dict[str, Any], where: str) -> dict[str, Any]:
    form = form_class(data=post)
    if not form.is_valid():
        raise ValueError(f"Demo sample {where}, an entry on a list page: {form.errors.as_text()}")
    return form.to_answers()


def _person_entry(sample: Sample | None, post: dict[str, Any], number: int) -> dict[str, Any]:
    """The person the people page adds for `post`: found by the page's search (name and date of birth) if the
    organisation has them already, otherwise added through "Add someone new"."""
    form = forms.NewPersonForm(data=post)
    if not form.is_valid():
        where = sample.case_reference if sample else "(page order)"
        raise ValueError(f"Demo sample {where}, person {number}: {form.errors.as_text()}")
    data = form.cleaned_data
    protect = bool(data.get("protect_identity"))
    if sample is None:
        # A stand-in row id: the dry run only needs answers the later pages' conditions can judge.
        return {
            "person_id": number,
            "full_name": data["full_name"],
            "date_of_birth": data["date_of_birth"].isoformat() if data.get("date_of_birth") else "",
            "birth_date_accuracy": data["birth_date_accuracy"],
            "part": data["part"],
            "protect_identity": protect,
        }
    who = sample.cast.practitioner
    born = data.get("date_of_birth") or None
    wanted = people.normalise_name(data["full_name"])
    found = [
        person
        for person in selectors.search_people(who, name=data["full_name"], date_of_birth=born)
        if people.normalise_name(person.full_name) == wanted and person.date_of_birth == born
    ]
    if found:
        person = selectors.get_person_for_user(who, found[0].pk)
    else:
        person = decision_services.person_create(
            by=who, full_name=data["full_name"], date_of_birth=born, birth_date_accuracy=data["birth_date_accuracy"]
        )
    return people.snapshot(person, part=data["part"], protect_identity=protect)


def _keys_in_order(flow: wizard.Flow, typed: Pages) -> Iterable[str]:
    """The pages that apply, judged on the answers so far, as the task list leads a practitioner through them."""
    answers: dict[str, dict] = {}
    while (step := flow.first_unanswered(answers)) is not None:
        if step.key not in typed:
            raise LookupError(f"Demo samples have no answers for the page '{step.key}'")
        # Later pages' conditions judge the answers as the form stores them.
        answers[step.key] = _page_answers(None, step, typed[step.key], forms.people_in(answers))
        yield step.key


def record(sample: Sample, stop_after: str = "") -> Generator[dt.datetime, None, DecisionDraft]:
    """Start a decision and answer its pages."""
    yield sample.start
    draft = decision_services.decision_start(by=sample.cast.practitioner)
    sample.decision = draft.decision
    return (yield from answer_pages(sample, draft, sample.start + 2 * MINUTE, stop_after=stop_after))


def submit(sample: Sample, draft: DecisionDraft, at: dt.datetime) -> Generator[dt.datetime, None, DecisionVersion]:
    yield at
    return decision_services.decision_submit(by=sample.cast.practitioner, draft=draft)


def read(sample: Sample, who: User, at: dt.datetime) -> Script:
    """Someone opens the decision's page (recorded in the audit trail, as the page does)."""
    yield at
    assert sample.decision is not None
    decision_services.decision_viewed(by=who, decision=sample.decision, version=_current(sample).number)


def _current(sample: Sample) -> DecisionVersion:
    assert sample.decision is not None
    version = Decision.objects.get(pk=sample.decision.pk).current_version
    assert version is not None
    return version


def review(sample: Sample, at: dt.datetime, comment: str = "", returned: bool = False) -> Script:
    """The supervisor reads the record, then signs it off or returns it."""
    yield from read(sample, sample.cast.supervisor, at)
    yield at + 6 * MINUTE
    assert sample.decision is not None
    decision = Decision.objects.get(pk=sample.decision.pk)
    version = _current(sample)
    if returned:
        review_services.review_return(by=sample.cast.supervisor, decision=decision, version=version, comment=comment)
    else:
        review_services.review_approve(by=sample.cast.supervisor, decision=decision, version=version, comment=comment)


def amend(sample: Sample, at: dt.datetime, reason: str, changes: Pages) -> Script:
    """The practitioner amends the decision: a new version, with the reason, changing only `changes`."""
    yield at
    assert sample.decision is not None
    decision = Decision.objects.get(pk=sample.decision.pk)
    draft = decision_services.decision_amend_start(by=sample.cast.practitioner, decision=decision, reason=reason)
    draft = yield from answer_pages(sample, draft, at + 2 * MINUTE, changes=changes)
    yield from submit(sample, draft, at + (3 * len(changes) + 4) * MINUTE)


def _submitted(sample: Sample) -> Generator[dt.datetime, None, dt.datetime]:
    """Record and submit; returns when it was submitted."""
    draft = yield from record(sample)
    submitted_at = sample.start + 50 * MINUTE
    yield from submit(sample, draft, submitted_at)
    return submitted_at


# One function per state ------------------------------------------------------------------------------------

RETURN_COMMENT = "Say which statutory gateway applies, and how the mother was told what would be shared."
AMEND_REASON = "Added the statutory gateway and how the mother was told, as the supervisor asked."


def draft(sample: Sample) -> Script:
    """Started and half answered: the practitioner stopped after the consent page."""
    yield from record(sample, stop_after="consent")


def awaiting_review(sample: Sample) -> Script:
    """Submitted, waiting in the supervisor's queue."""
    yield from _submitted(sample)


def signed_off(sample: Sample) -> Script:
    """Submitted, read and signed off by the supervisor a day or two later; the auditor looked at it after."""
    submitted_at = yield from _submitted(sample)
    yield from review(sample, submitted_at + 26 * HOUR, comment="Clear reasons and the right gateway.")
    yield from read(sample, sample.cast.auditor, submitted_at + 9 * DAY)


def returned(sample: Sample) -> Script:
    """Returned by the supervisor, waiting for the practitioner to amend it."""
    submitted_at = yield from _submitted(sample)
    yield from review(sample, submitted_at + 20 * HOUR, comment=RETURN_COMMENT, returned=True)


def _amendment(sample: Sample) -> Pages:
    p = sample.pages()
    changes: Pages = {"lawful_basis": {**p["lawful_basis"], "statutory_gateways": ["ca1989_s47", "ca2004_s10"]}}
    if "open_honest" in wizard.flow_of(_current(sample)).relevant_answers(_current(sample).answers):
        changes["open_honest"] = {"told": "yes", "told_detail": "The social worker told the mother at the home visit"}
    return changes


def amended(sample: Sample) -> Script:
    """Returned, amended (version 2, with the reason) and then signed off."""
    submitted_at = yield from _submitted(sample)
    yield from review(sample, submitted_at + 20 * HOUR, comment=RETURN_COMMENT, returned=True)
    at = submitted_at + 2 * DAY
    yield at
    yield from amend(sample, at, AMEND_REASON, _amendment(sample))
    yield from review(sample, at + 1 * DAY, comment="Thank you: signed off.")


def amended_after_sign_off(sample: Sample, days_later: int = 20) -> Script:
    """Signed off, then amended weeks later with new information: version 2 waits for review, and the
    supervisor sees what changed since the version they signed off."""
    submitted_at = yield from _submitted(sample)
    yield from review(sample, submitted_at + 1 * DAY)
    at = submitted_at + days_later * DAY
    yield at
    recipients = sample.pages()[RECIPIENTS]["recipients"]
    school = _recipient_post(
        "Castle Hill Academy", "Designated safeguarding lead", "dsl@castlehill.example", timezone.localdate(at)
    )
    changes = {RECIPIENTS: {"recipients": [*recipients, school]}}
    yield from amend(sample, at, "The information was also shared with the school, a week later.", changes)


def discarded(sample: Sample) -> Script:
    """Started by mistake and thrown away: the reference stays taken and the trail says so."""
    draft = yield from record(sample, stop_after="request")
    yield sample.start + 10 * MINUTE
    decision_services.draft_discard(by=sample.cast.practitioner, draft=draft)


def review_before_sharing(sample: Sample) -> Script:
    """The admin changes when the organisation reviews decisions (a settings change in the audit trail)."""
    yield sample.start
    review_services.organisation_settings_update(by=sample.cast.admin, review_timing=ReviewTiming.BEFORE_SHARING)


def edition_2024(sample: Sample) -> Script:
    """The admin moves the organisation to the May 2024 advice: decisions started from then on are asked its
    questions; those already started keep the 2018 ones."""
    yield sample.start
    review_services.organisation_edition_update(by=sample.cast.admin, guidance_edition="2024")


# The demonstration ----------------------------------------------------------------------------------------

# (number, state, days before now it starts, variant). Oldest first. Signed off ones spread over six months
# fill the dashboard; the last few weeks hold each state a page shows.
SCHEDULE: list[tuple[int, State, float, Variant]] = [
    (1, signed_off, 178, with_consent),
    (2, signed_off, 166, not_shared),
    (3, signed_off, 155, not_sought_parent_reaction),
    (4, amended, 143, with_consent),
    (5, signed_off, 131, shared_in_part),
    (6, signed_off, 119, refused),
    (7, signed_off, 108, combine(sensitive, not_sought)),
    (8, signed_off, 97, three_recipients),
    (9, signed_off, 86, not_shared_not_needed),
    (10, signed_off, 74, could_not_be_obtained),
    (11, discarded, 66, with_consent),
    (12, signed_off, 61, not_sought_evidence),
    (13, amended, 52, refused),
    (14, signed_off, 44, shared_in_part),
    (15, amended_after_sign_off, 33, with_consent),
    (16, signed_off, 27, not_shared),
    (17, signed_off, 21, sensitive),
    (18, awaiting_review, 12.2, not_sought_tell_later),
    (19, awaiting_review, 5.1, with_consent),
    (20, returned, 3.9, with_consent),
    (21, awaiting_review, 2.3, not_shared),
    (22, awaiting_review, 0.3, sensitive),
    (23, draft, 1.2, with_consent),
    (24, draft, 0.1, not_sought),
]


def samples_for(cast: Cast, now: dt.datetime, offset: int = 0) -> list[Sample]:
    """The schedule for one organisation; `offset` varies the cases and hours between organisations."""
    samples = []
    for number, state, days, variant in SCHEDULE:
        # Working hours, London time: 09:10 plus a few hours depending on the sample.
        start = (now - dt.timedelta(days=days)).replace(microsecond=0)
        local = timezone.localtime(start)
        if days >= 1:
            local = local.replace(hour=9 + (number + offset) % 7, minute=10 * ((number + offset) % 6), second=0)
        samples.append(Sample(cast, number, local, CASES[(number + offset) % len(CASES)], state, variant))
    return samples


@dataclass
class Report:
    made: list[str] = field(default_factory=list)
    kept: int = 0


# When the second organisation moves to the 2024 edition: its last week of samples are 2024 ones.
EDITION_2024_DAYS = 7


def seed_samples(cast: Cast, *, offset: int = 0, settings_change: bool = False) -> Report:
    """Make this organisation's samples that do not exist yet, all scripts together in time order, with the
    services' clock moved to each act's moment. Call inside a transaction."""
    import time_machine  # a development dependency, as the demonstration is

    now = timezone.now()
    report = Report()
    existing = set(
        Decision.objects.filter(organisation=cast.organisation, case_reference__startswith="DEMO-").values_list(
            "case_reference", flat=True
        )
    )
    scripts: list[tuple[dt.datetime, int, Script]] = []
    for index, sample in enumerate(samples_for(cast, now, offset)):
        if sample.case_reference in existing:
            report.kept += 1
            continue
        script = sample.state(sample)
        report.made.append(sample.case_reference)
        _push(scripts, script, index)
    if settings_change and cast.organisation.review_timing != ReviewTiming.BEFORE_SHARING and report.made:
        admin_sample = Sample(cast, 0, now - 170 * DAY, CASES[0], review_before_sharing)
        _push(scripts, admin_sample.state(admin_sample), -1)
    if settings_change and cast.organisation.guidance_edition == "2018" and report.made:
        switch = Sample(cast, 0, now - EDITION_2024_DAYS * DAY, CASES[0], edition_2024)
        _push(scripts, switch.state(switch), -2)
    if not scripts:
        return report
    with time_machine.travel(now, tick=False) as clock:
        while scripts:
            moment, index, script = heapq.heappop(scripts)
            # Never past the real time: a sample's late acts (a review due tomorrow) simply wait.
            clock.move_to(min(moment, now))
            _push(scripts, script, index)
    return report


def _push(scripts: list[tuple[dt.datetime, int, Script]], script: Script, index: int) -> None:
    """Run a script up to its next act and queue it for that moment (or drop it, finished). What runs before
    a yield only computes; each act runs when its script is resumed at its moment, so the acts of all the
    scripts interleave in time order."""
    try:
        moment = next(script)
    except StopIteration:
        return
    heapq.heappush(scripts, (moment, index, script))
