"""Issue 24 item 2, as a property: answers generated across the pages of each edition's current layout, each
page valid on its own. A combination that contradicts itself (by the list below, written here apart from the
rules in wizard.py) cannot be submitted, and is reported on the page that completes the contradiction; one that
does not is never blocked by a rule. The submit gate is `Flow.validate` (services.decision_submit calls it).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from decisions import examples, wizard
from decisions.flow import Answers, Flow
from decisions.forms import RecipientForm

from .wizard_helpers import valid_post

REQUEST_DATE = dt.date(2026, 11, 3)
PARTS = ["child", "other_child", "parent_carer", "other_adult"]
METHODS = ["secure_email", "secure_portal", "phone"]
NO_SHARE_REASONS = ["not_necessary", "not_proportionate", "respect_wishes", "no_role", "other"]
STATUSES = ["given", "refused", "withdrawn", "not_obtained"]


def base_post(edition: str, key: str) -> dict[str, Any]:
    if edition == "2024" and key in examples.EXAMPLE_POSTS_2024:
        return dict(examples.EXAMPLE_POSTS_2024[key])
    return valid_post(key)


def clean(flow: Flow, key: str, post: dict[str, Any]) -> dict[str, Any]:
    step = flow.step(key)
    assert step is not None
    form = step.form_class(data=post)
    assert form.is_valid(), (key, form.errors)
    return dict(form.to_answers())


def chosen_only(flow: Any, key: str, post: dict[str, Any]) -> dict[str, Any]:
    """The post without follow-ups of answers not chosen, as a practitioner leaves them (the page refuses text
    typed under an answer that was not chosen)."""
    step = flow.step(key)
    data = dict(post)
    for name, controller, values in step.form_class.conditional if step else ():
        chosen = data.get(controller)
        if not (set(chosen) & set(values) if isinstance(chosen, list) else chosen in values):
            for field in (name, f"{name}_0", f"{name}_1", f"{name}_2"):
                data.pop(field, None)
    return data


@st.composite
def combinations(draw: Any, edition: str) -> tuple[Answers, dict[str, Any]]:
    """Stored answers for every page of the edition's current layout (only those that apply are judged), and
    the choices they were made from."""
    flow = wizard.flow_for(edition)
    c: dict[str, Any] = {
        "people": [
            {"part": draw(st.sampled_from(PARTS)), "protect": draw(st.booleans())}
            for _ in range(draw(st.integers(1, 3)))
        ],
        "sought": draw(st.booleans()),
        "from": draw(st.integers(1, 4)),  # 4 is never on the record
        "young_person": draw(st.booleans()),
        "status": draw(st.sampled_from(STATUSES)),
        "necessary": draw(st.booleans()),
        "proportionate": draw(st.booleans()),
        "outcome": draw(st.sampled_from(["share_all", "share_some", "no_share"])),
        "no_share_reasons": draw(st.lists(st.sampled_from(NO_SHARE_REASONS), min_size=1, max_size=3, unique=True)),
        "consent_basis": draw(st.booleans()),
        "special": draw(st.booleans()),
        "explicit_consent": draw(st.booleans()),
        "stated_method": draw(st.sampled_from(["", *METHODS])),  # "" unless answered before it was asked once
        "recipients": [
            {"method": draw(st.sampled_from(METHODS)), "days_after_request": draw(st.integers(-2, 2))}
            for _ in range(draw(st.integers(1, 2)))
        ],
        "unanswered_protection": draw(st.booleans()),
    }
    people = [
        {
            "person_id": n,
            "full_name": f"Person {n}",
            "date_of_birth": "",
            "birth_date_accuracy": "unknown",
            "part": person["part"],
            "protect_identity": person["protect"],
        }
        for n, person in enumerate(c["people"], start=1)
    ]
    answers: Answers = {"people": {"people": people}}
    for step in flow.steps:
        key = step.key
        if key in ("people", "recipients", "protect_identities"):
            continue
        post = base_post(edition, key)
        if key == "request":
            post.update(request_date_0="3", request_date_1="11", request_date_2="2026")
        elif key == "information":
            post["special_category"] = "yes" if c["special"] else "no"
        elif key == "consent":
            post.update(consent_sought="yes" if c["sought"] else "no", consent_from=str(c["from"]))
            post.update(young_person="yes" if c["young_person"] else "no", competence_view="They understand")
        elif key == "consent_outcome":
            post.update(consent_outcome=c["status"], consent_outcome_detail="What was said")
            post.update(consent_withdrawn_detail="When and how", consent_not_obtained_detail="Why not")
        elif key == "necessary":
            for quality in ("necessary", "proportionate"):
                post[quality] = "yes" if c[quality] else "no"
                post[f"{quality}_explanation"] = "Explained"
        elif key == "decision":
            post = {
                "outcome": c["outcome"],
                "shared_part": "The attendance record",
                "withheld": "The notes",
                "no_share_reasons": c["no_share_reasons"],
                "reasons": "Reasons",
            }
        elif key == "lawful_basis":
            post["article6"] = "a_consent" if c["consent_basis"] else "e_public_task"
        elif key == "special_category" and c["explicit_consent"]:
            post = {"article9": "9_2_a_explicit_consent"}
        answers[key] = clean(flow, key, chosen_only(flow, key, post))
    if c["stated_method"]:
        answers["sending"] = {"method": c["stated_method"], "method_other": "", "secure_detail": ""}
    recipients = []
    for entry in c["recipients"]:
        shared = REQUEST_DATE + dt.timedelta(days=entry["days_after_request"])
        post = valid_post("recipients", method=entry["method"])
        post.update(shared_date_0=str(shared.day), shared_date_1=str(shared.month), shared_date_2=str(shared.year))
        form = RecipientForm(data=post)
        assert form.is_valid(), form.errors
        recipients.append(form.to_answers())
    answers["recipients"] = {"recipients": recipients}
    protected = [p for p in people if p["protect_identity"]]
    if c["unanswered_protection"]:
        protected = protected[1:]
    answers["protect_identities"] = {"protection": {str(p["person_id"]): "Address left out" for p in protected}}
    return answers, c


def contradictions(edition: str, c: dict[str, Any]) -> set[tuple[str, str]]:
    """(page that completes it, what contradicts what), worked out from the choices alone."""
    found: set[tuple[str, str]] = set()
    ids = list(range(1, len(c["people"]) + 1))
    status = c["status"] if c["sought"] else "not_sought"
    sharing = c["outcome"] != "no_share"
    asked = c["people"][c["from"] - 1] if c["sought"] and c["from"] in ids else None
    if c["sought"] and c["from"] not in ids:
        found.add(("consent", "asked someone not on the record"))
    if asked is not None and c["young_person"] and asked["part"] in ("parent_carer", "other_adult"):
        found.add(("consent", "an adult as the young person deciding"))
    if sharing and not (c["necessary"] and c["proportionate"]):
        found.add(("decision", "shared although not necessary or proportionate"))
    if not sharing:
        if "respect_wishes" in c["no_share_reasons"] and status == "given" and asked is not None and ids == [c["from"]]:
            found.add(("decision", "respecting the wishes of no one"))
        if ("not_necessary" in c["no_share_reasons"] and c["necessary"]) or (
            "not_proportionate" in c["no_share_reasons"] and c["proportionate"]
        ):
            found.add(("decision", "a reason not to share answered otherwise"))
    if sharing and status != "given":
        if c["consent_basis"]:
            found.add(("lawful_basis", "consent as the basis without consent"))
        if c["special"] and c["explicit_consent"]:
            found.add(("special_category", "explicit consent without consent"))
    if sharing and any(r["days_after_request"] < 0 for r in c["recipients"]):
        found.add(("recipients", "shared before the request"))
    if sharing and c["stated_method"] and any(r["method"] != c["stated_method"] for r in c["recipients"]):
        found.add(("recipients", "sent another way than stated"))
    if edition == "2024" and sharing and c["unanswered_protection"] and any(p["protect"] for p in c["people"]):
        found.add(("protect_identities", "a protected person without an answer"))
    return found


def check(edition: str, answers: Answers, c: dict[str, Any]) -> None:
    flow = wizard.flow_for(edition)
    problems = flow.validate(answers)
    rule_pages = {rule.step for rule in flow.rules}
    # Every page is valid on its own, so whatever blocks submitting is a rule between pages.
    assert all(p.step in rule_pages for p in problems), problems
    expected = contradictions(edition, c)
    assert {p.step for p in problems} == {page for page, _ in expected}, (expected, problems)
    for page in {page for page, _ in expected}:
        # Said on the page itself when it is saved, not only at the end.
        assert flow.page_problems(page, answers)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(combinations("2018"))
def test_the_2018_rules_and_the_submit_gate_agree(generated: tuple[Answers, dict[str, Any]]) -> None:
    check("2018", *generated)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(combinations("2024"))
def test_the_2024_rules_and_the_submit_gate_agree(generated: tuple[Answers, dict[str, Any]]) -> None:
    check("2024", *generated)


def test_every_rule_of_both_editions_is_one_list() -> None:
    """The rules are data in one place: 2024 adds only rule 5's, asked for each protected person."""
    assert wizard.flow_for("2018").rules == wizard.RULES
    assert wizard.flow_for("2024").rules[: len(wizard.RULES)] == wizard.RULES
    assert [r.step for r in wizard.flow_for("2024").rules[len(wizard.RULES) :]] == ["protect_identities"]
