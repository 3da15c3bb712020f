"""The question pages in order, when each one applies, and the rules between them. Steps are data: adding a
question is one entry.

The practitioner first weighs the request (the information, advice, consent, safety and well-being, and
whether sharing would be necessary and proportionate), then decides to share all, some or none of it. Only
then come the questions the decision makes meaningful: for sharing, the lawful basis, what is shared, how it
is sent securely and to whom; for not sharing, whether the person who asked was told, and what was offered
instead.

Each edition can have several layouts (see flow.py). Drafts and versions store theirs, and are always read
by it: `flow_of(record)`. The first two layouts of 2018 are kept, frozen, in wizard_2018_v1.py and
wizard_2018_v2.py. Layout 3 added the people a decision is about and a list of recipients.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from crispy_forms_gds.layout import Layout

from . import forms as f
from . import wizard_2018_v1 as v1
from . import wizard_2018_v2 as v2
from .flow import Answers, Flow, Problem, Rule, Step, Task, Unfinished
from .flow import answer as _answer
from .guidance import CURRENT_EDITION, SHARING_METHODS, QuestionText
from .wizard_2018_v2 import (
    ABOUT,
    DECIDE,
    WEIGH,
    WITHOUT_CONSENT,
    _after_decision_title,  # noqa: F401  (the frozen wizard_2024_v1 imports it from here)
    consent_basis_without_consent,
    consent_not_sought,
    consent_status,
    consent_was_sought,
    explicit_consent_without_consent,
    has_criminal_offence,
    is_not_sharing,
    is_sharing,
    not_needed_note,
    not_sharing_with_a_requester,
    shared_although_not_needed,
    sharing_with_criminal_offence,
    sharing_with_special_category,
    sharing_without_consent,
    upgrade_2018_v1,
)

__all__ = [
    "WITHOUT_CONSENT",
    "Answers",
    "Flow",
    "Problem",
    "Step",
    "Unfinished",
    "consent_status",
    "has_criminal_offence",
    "upgrade_2018_v1",
]


# Conditions and rules are layout 2's (wizard_2018_v2), shared with this layout. --------------------------------


def people_on_record(answers: Answers) -> list[dict[str, Any]]:
    return f.people_in(answers)


def consent_from_a_person_on_record(answers: Answers) -> str | None:
    """Consent is sought from someone the record is about (or a parent or carer on it)."""
    chosen = _answer(answers, "consent", "consent_from")
    if not consent_was_sought(answers) or not chosen:
        return None
    if str(chosen) not in {str(p.get("person_id")) for p in people_on_record(answers)}:
        return "Select who you asked from the people on this record"
    return None


def follow_up_due(answers: Answers) -> str:
    """The date the family is to be told by, if they were not told before sharing (ISO date, or "")."""
    if not sharing_without_consent(answers):
        return ""
    if _answer(answers, "open_honest", "told") != "no" or _answer(answers, "open_honest", "tell_later") != "yes":
        return ""
    return str(_answer(answers, "open_honest", "tell_by") or "")


def recipient_agencies(answers: Answers) -> list[str]:
    """Each agency shared with, once, as typed (first spelling wins, case and spaces ignored)."""
    if not is_sharing(answers):
        return []
    seen: dict[str, str] = {}
    for entry in f.RecipientsForm.entries(answers.get("recipients")):
        agency = " ".join(str(entry.get("agency", "")).split())
        if agency:
            seen.setdefault(agency.casefold(), agency)
    return list(seen.values())


# Rules between pages added for issue 24 (each judged on the page that completes the contradiction). -------------


def _person_name(person: dict[str, Any]) -> str:
    return str(person.get("full_name", "")).strip() or "the person"


def _no_share_reasons(answers: Answers) -> list[str]:
    reasons = _answer(answers, "decision", "no_share_reasons")
    return [str(r) for r in reasons] if isinstance(reasons, list) else []


def _consenting_person(answers: Answers) -> dict[str, Any] | None:
    chosen = str(_answer(answers, "consent", "consent_from") or "")
    return next((p for p in people_on_record(answers) if str(p.get("person_id")) == chosen), None)


def respecting_wishes_of_no_one(answers: Answers) -> str | None:
    """ "Respecting the wishes of someone who does not consent" needs such a person: not when the only person on
    the record is the one who gave consent."""
    if not is_not_sharing(answers) or consent_status(answers) != "given":
        return None
    if "respect_wishes" not in _no_share_reasons(answers):
        return None
    consenting = _consenting_person(answers)
    others = [p for p in people_on_record(answers) if p is not consenting]
    if consenting is None or others:
        return None
    return (
        f"You said {_person_name(consenting)} gave consent, and no one else is on this record: choose another "
        "reason for not sharing, or add the person who does not consent to the people on this record"
    )


def not_sharing_for_a_reason_answered_otherwise(answers: Answers) -> str | None:
    """ "Sharing would not be necessary (or proportionate)" as a reason not to share, after saying it would be."""
    if not is_not_sharing(answers):
        return None
    reasons = _no_share_reasons(answers)
    said = [
        q for q in ("necessary", "proportionate") if f"not_{q}" in reasons and _answer(answers, "necessary", q) == "yes"
    ]
    if not said:
        return None
    qualities = " and ".join(said)
    return (
        f"You said sharing would be {qualities}: untick that reason, or change your answer about whether sharing "
        f"would be {qualities}"
    )


ADULT_PARTS = ("parent_carer", "other_adult")


def young_person_who_is_an_adult(answers: Answers) -> str | None:
    """A young person deciding for themselves cannot be someone the record names as an adult."""
    if not consent_was_sought(answers) or _answer(answers, "consent", "young_person") != "yes":
        return None
    person = _consenting_person(answers)
    if person is None or person.get("part") not in ADULT_PARTS:
        return None
    return (
        f"{_person_name(person)} is on this record as an adult: answer no, or change who you asked or their part "
        "on the people page"
    )


def _iso_date(value: object) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None


def shared_before_the_request(answers: Answers) -> str | None:
    """Information is shared on or after the day it was asked for (or sharing was proposed)."""
    if not is_sharing(answers):
        return None
    asked = _iso_date(_answer(answers, "request", "request_date"))
    if asked is None:
        return None
    for number, entry in enumerate(f.RecipientsForm.entries(answers.get("recipients")), start=1):
        shared = _iso_date(entry.get("shared_date", ""))
        if shared is not None and shared < asked:
            return (
                f"Recipient {number}: the date shared must be on or after the date of the request "
                f"({asked.strftime('%-d %B %Y')})"
            )
    return None


def _method_label(method: str, other: object) -> str:
    return str(other) if method == "other" and other else dict(SHARING_METHODS).get(method, method)


def sent_another_way_than_stated(answers: Answers) -> str | None:
    """A draft answered before each recipient's method became the only one may still say, once for the decision,
    how it will be sent: each recipient must then have been sent that way."""
    stated = str(_answer(answers, "sending", "method") or "")
    if not is_sharing(answers) or not stated:
        return None
    stated_label = _method_label(stated, _answer(answers, "sending", "method_other"))
    for number, entry in enumerate(f.RecipientsForm.entries(answers.get("recipients")), start=1):
        method = str(entry.get("method", ""))
        if method and _method_label(method, entry.get("method_other")) != stated_label:
            return (
                f"Recipient {number} was sent by {_method_label(method, entry.get('method_other')).lower()}, but "
                f"this record also says it will be sent by {stated_label.lower()}: change the recipient, or save "
                "'How will it be sent securely?' again to keep only each recipient's method"
            )
    return None


def recipients_method(answers: Answers) -> str:
    """The way the information was sent, for the stored facts: the one every recipient shares, or "several"."""
    methods = {str(e.get("method", "")) for e in f.RecipientsForm.entries(answers.get("recipients"))} - {""}
    if len(methods) == 1:
        return methods.pop()
    return "several" if methods else ""


class SendingDetailForm(f.SendingForm):
    """The sending page once each recipient carries how it was sent (issue 24): the one-for-all method is no
    longer asked, so the two cannot disagree. Its fields stay, so a record that answered them reads as it did."""

    conditional: ClassVar[list[tuple[str, str, tuple[str, ...]]]] = []  # the method and its follow-up are not asked

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Not asked here, so not taken from a post either (an error on a field the page lacks could not be fixed).
        for name in ("method", "method_other"):
            self.fields[name].required = False
            self.fields[name].disabled = True
        self.fields["secure_detail"].help_text = (
            "You say how it was sent to each recipient on the next page. Here, add anything else you did to keep "
            "it secure: for example, a password sent separately, or checking who answers the phone"
        )

    def build_layout(self) -> Layout:
        return Layout(self.item("secure_detail"))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        cleaned["method"] = cleaned["method_other"] = ""
        return cleaned

    @classmethod
    def summary(cls, answers: Answers) -> list[tuple[str, str, str]]:
        # Left empty, the optional question was still answered: say so rather than "Not answered". A record
        # from before always has a method, so it reads as it did.
        rows = super().summary(answers)
        return rows or [("secure_detail", str(cls.base_fields["secure_detail"].label), "Nothing else")]


# Every rule between pages of the current layouts of both editions, in one place. Each is judged on the page
# named, when it is saved, and again on check answers and at submit (Flow.validate).
RULES: tuple[Rule, ...] = (
    Rule("consent", "consent_from", consent_from_a_person_on_record),
    Rule("consent", "young_person", young_person_who_is_an_adult),
    Rule("decision", "outcome", shared_although_not_needed),
    Rule("decision", "no_share_reasons", respecting_wishes_of_no_one),
    Rule("decision", "no_share_reasons", not_sharing_for_a_reason_answered_otherwise),
    Rule("lawful_basis", "article6", consent_basis_without_consent),
    Rule("special_category", "article9", explicit_consent_without_consent),
    Rule("recipients", "shared_date", shared_before_the_request),
    Rule("recipients", "method", sent_another_way_than_stated),
)


# Moving a layout 2 record's answers into this layout ---------------------------------------------------------


def upgrade_2018_v2(old: Answers) -> Answers:
    """Layout 2's answers in this layout's pages. The free-text subject and the single recipient cannot become
    people and recipients on their own: the recipient is carried over as the first entry of the list, the
    subject is kept as a note on the people page for the practitioner to add each person from, and every page
    is checked before the amendment is submitted."""
    new: Answers = {key: dict(value) for key, value in old.items() if key not in ("request", "recipients", "consent")}
    if "request" in old:
        request = dict(old["request"])
        subject = request.pop("subject_details", "")
        new["request"] = request
        if subject:
            # Not an answer of the people page: shown there, and dropped when the page is saved.
            new["people"] = {"people": [], "carried_subject": subject}
    if "consent" in old:
        consent = {"consent_sought": old["consent"].get("consent_sought", "")}
        new["consent"] = consent
    recipients = old.get("recipients")
    if recipients:
        method = str(_answer(old, "sending", "method") or "")
        entry = {
            "agency": recipients.get("recipient_agency", ""),
            "person": recipients.get("recipient_person", ""),
            "contact": recipients.get("recipient_contact", ""),
            "shared_date": recipients.get("shared_date", ""),
            "shared_time": recipients.get("shared_time", ""),
            "method": method,
            "method_other": str(_answer(old, "sending", "method_other") or "") if method == "other" else "",
            "given": "",
        }
        new["recipients"] = {"recipients": [entry], "carried_others": recipients.get("other_recipients", "")}
    return new


# The current layout of the 2018 edition ----------------------------------------------------------------------


def facts(answers: Answers) -> dict[str, object]:
    """Layout 2's stored facts, and the agencies shared with (for the dashboard)."""
    stored = {**v2.facts(answers), "recipient_agencies": "\n".join(recipient_agencies(answers))}
    if is_sharing(answers) and not stored["sharing_method"]:
        # Asked once, for each recipient.
        stored["sharing_method"] = recipients_method(answers)
    return stored


def record_tasks(steps: tuple[Step, ...], *, safety_title: str) -> tuple[Task, ...]:
    """The task list of a layout whose record names its people (2018 layout 3, 2024 layout 2): a task per page
    before the decision, and one for every page after it, whichever the decision makes apply."""
    keys = [step.key for step in steps]
    return (
        Task("request", "The request", ABOUT, ("request",)),
        Task("people", "The people it is about", ABOUT, ("people",)),
        Task("information", "The information", ABOUT, ("information",)),
        Task("advice", "Advice", WEIGH, ("advice",)),
        Task("consent", "Consent", WEIGH, ("consent", "consent_outcome", "consent_not_sought"), after=("people",)),
        Task("safety", safety_title, WEIGH, ("safety",)),
        Task("necessary", "Necessary and proportionate", WEIGH, ("necessary",)),
        Task("decision", "Your decision", DECIDE, ("decision",)),
        Task(
            "after_decision",
            "After your decision",
            DECIDE,
            tuple(keys[keys.index("decision") + 1 :]),
            # One name before and after the decision: renamed by it, the task seemed to vanish from the list.
            after=("decision",),
        ),
    )


STEPS_2018: tuple[Step, ...] = (
    Step("request", f.RequestForm),
    Step("people", f.PeopleForm),
    Step("information", f.CurrentInformationForm),
    Step("advice", f.AdviceForm),
    Step("consent", f.ConsentForm),
    Step("consent_outcome", f.ConsentResponseForm, consent_was_sought),
    Step("consent_not_sought", f.ConsentNotSoughtForm, consent_not_sought),
    Step("safety", f.SafetyForm),
    Step("necessary", f.NecessaryForm),
    Step("decision", f.DecisionForm),
    Step("without_consent", f.WithoutConsentForm, sharing_without_consent),
    Step("lawful_basis", f.LawfulBasisForm, is_sharing),
    Step("special_category", f.SpecialCategoryForm, sharing_with_special_category),
    Step("criminal_offence", f.CriminalOffenceForm, sharing_with_criminal_offence),
    Step("quality", f.QualityForm, is_sharing),
    # Consent given means they were told what would be shared and why when it was sought.
    Step("open_honest", f.OpenHonestResponseForm, sharing_without_consent),
    Step("sending", SendingDetailForm, is_sharing),
    Step("recipients", f.RecipientsForm, is_sharing),
    Step("requester_told", f.RequesterToldForm, not_sharing_with_a_requester),
    Step("alternatives", f.AlternativesForm, is_not_sharing),
)

FLOW_2018 = Flow(
    edition="2018",
    layout=3,
    steps=STEPS_2018,
    facts=facts,
    rules=RULES,
    tasks=record_tasks(STEPS_2018, safety_title="Safety and well-being"),
    locations={"method": ("sending", "method"), "secure_method": ("sending", "secure_detail")},
    upgrade=upgrade_2018_v2,
    notes={"decision": not_needed_note},
    follow_up=follow_up_due,
)

# Every layout of every edition, oldest first; the last of an edition is the one new drafts use.
FLOWS: dict[tuple[str, int], Flow] = {(flow.edition, flow.layout): flow for flow in (v1.FLOW, v2.FLOW, FLOW_2018)}


def _register(flow: Flow) -> None:
    FLOWS[(flow.edition, flow.layout)] = flow


def current_layout(edition_code: str = CURRENT_EDITION) -> int:
    return max(layout for code, layout in FLOWS if code == edition_code)


def flow_for(edition_code: str = CURRENT_EDITION, layout: int | None = None) -> Flow:
    return FLOWS[(edition_code, layout if layout is not None else current_layout(edition_code))]


def flow_of(record: Any) -> Flow:
    """The layout a draft or a version was answered in (a draft's edition is its decision's)."""
    code = getattr(record, "edition", None) or record.decision.edition
    return flow_for(code, record.layout)


def reshape(edition_code: str, layout: int, answers: Answers) -> tuple[Answers, int]:
    """Answers from an older layout moved, one layout at a time, into the current one."""
    newest = current_layout(edition_code)
    while layout < newest:
        layout += 1
        upgrade = flow_for(edition_code, layout).upgrade
        assert upgrade is not None, f"layout {layout} of {edition_code} says how to read the one before it"
        answers = upgrade(answers)
    return answers, layout


# Shorthands for the current layout (tests and the performance harness use these). ---------------------------


def steps_for(edition_code: str = CURRENT_EDITION, layout: int | None = None) -> tuple[Step, ...]:
    return flow_for(edition_code, layout).steps


def step_by_key(edition_code: str, key: str, layout: int | None = None) -> Step | None:
    return flow_for(edition_code, layout).step(key)


def question(edition_code: str, key: str, layout: int | None = None) -> QuestionText:
    return flow_for(edition_code, layout).question(key)


def validate_record(edition_code: str, answers: Answers, layout: int | None = None) -> list[Problem]:
    return flow_for(edition_code, layout).validate(answers)


def relevant_answers(edition_code: str, answers: Answers, layout: int | None = None) -> Answers:
    return flow_for(edition_code, layout).relevant_answers(answers)


# The May 2024 edition's layouts (wizard_2024_v1.py, frozen, and wizard_2024.py) reuse this module's conditions,
# so they join FLOWS once it has loaded. The app imports this module at start-up, so they are never loaded first.
from . import wizard_2024, wizard_2024_v1  # noqa: E402

_register(wizard_2024_v1.FLOW)
_register(wizard_2024.FLOW)
