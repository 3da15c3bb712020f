"""Each edition's pages and PDF speak only its own rules (issue 24 item 7): a 2024 page quoted 2018's "Golden
rule 3: seek advice", and the 2024 consent-basis page said "the next page asks why" on the page that asks why.
The phrases of the other edition are built from guidance.py's data, not listed by hand."""

from __future__ import annotations

import html
import re
from typing import Any

from django.urls import reverse

from accounts.models import Organisation
from decisions import examples, guidance, pdf, wizard
from decisions.models import DecisionDraft, DecisionVersion

from .base import World
from .factories import make_submitted_decision
from .test_pdf import VERIFY_URL, pdf_text
from .wizard_helpers import start, step_url

OTHER = {"2018": "2024", "2024": "2018"}
RULE = re.compile(r"golden rule (\d)\s*:\s*([a-z][a-z ,'’-]*)")


def _flat(text: str) -> str:
    text = re.sub(r"<script.*?</script>", " ", text, flags=re.S)
    text = html.unescape(re.sub(r"<[^>]+>", " ", text))
    return " ".join(text.split()).lower()


def _first_sentence(text: str) -> str:
    return text.split(". ")[0].lower()


def foreign_phrases(code: str) -> set[str]:
    """What only the other edition says: its rules by number and title, the first sentence of each of its
    rules, and the titles of its live pages, wherever this edition does not say the same."""
    own, other = guidance.edition(code), guidance.edition(OTHER[code])
    own_rules = {(p.number, p.title.lower()) for p in own.principles}
    own_texts = " ".join(p.text.lower() for p in own.principles)
    own_titles = {q.title.lower() for layout in own.questions.values() for q in layout.values()}
    phrases = {other.short_title.lower()}
    for rule in other.principles:
        if (rule.number, rule.title.lower()) not in own_rules:
            phrases.add(f"golden rule {rule.number}: {rule.title.lower()}")
        if _first_sentence(rule.text) not in own_texts:
            phrases.add(_first_sentence(rule.text))
    newest = other.questions[max(other.questions)]
    phrases |= {q.title.lower() for q in newest.values() if q.title.lower() not in own_titles}
    return phrases


def wrong_wording(code: str, text: str) -> list[str]:
    """The other edition's phrases found in `text`, and any "Golden rule N: …" not naming this edition's rule N."""
    flat = _flat(text)
    found = sorted(p for p in foreign_phrases(code) if p in flat)
    rules = {p.number: p for p in guidance.edition(code).principles}
    for number, quoted in RULE.findall(flat):
        # What follows "Golden rule N:" is this edition's rule N: its title, or words of its text.
        rule = rules[int(number)]
        if not quoted.startswith(rule.title.lower()) and " ".join(quoted.split()[:4]) not in rule.text.lower():
            found.append(f"golden rule {number}: {quoted}")
    return found


def test_the_phrases_come_from_the_data() -> None:
    assert "golden rule 3: seek advice" in foreign_phrases("2024")
    assert "golden rule 4: seek advice promptly" in foreign_phrases("2018")
    assert wrong_wording("2024", "Golden rule 3: seek advice if you are in any doubt")
    assert not wrong_wording("2024", "Golden rule 4: seek advice promptly whenever you are uncertain")
    assert not wrong_wording("2018", "Golden rule 3: seek advice if you are in any doubt")


# Answers that make every page of a live layout apply, across three drafts. -------------------------------
PERSON = {"person_id": 1, "full_name": "Pat Green", "birth_date_accuracy": "unknown", "part": "other_adult"}
SCENARIOS: list[dict[str, Any]] = [
    {
        "request": {"request_origin": "other_agency"},
        "people": {"people": [{**PERSON, "protect_identity": True}]},
        "information": {"special_category": "yes", "criminal_offence": "yes"},
        "consent": {"consent_sought": "yes"},
        "consent_outcome": {"consent_outcome": "given"},
        "decision": {"outcome": "share_all"},
        "lawful_basis": {"article6": "a_consent"},
    },
    {"consent": {"consent_sought": "no"}, "decision": {"outcome": "share_some"}},
    {"request": {"request_origin": "other_agency"}, "decision": {"outcome": "no_share"}},
]


class EditionWordingTests(World):
    def pages_of(self, code: str) -> dict[str, str]:
        Organisation.objects.filter(pk=self.org_a.pk).update(guidance_edition=code)
        client = self.client_for(self.alice_practitioner_org_a)
        flow = wizard.flow_for(code)
        pages: dict[str, str] = {}
        for answers in SCENARIOS:
            reference = start(client)
            draft = DecisionDraft.objects.get(decision__reference=reference)
            assert draft.decision.edition == code and draft.layout == flow.layout
            draft.answers = answers
            draft.save()
            for step in flow.steps:
                response = client.get(step_url(reference, step.key))
                if response.status_code == 200:
                    pages[step.key] = response.content.decode()
            for view in ("check", "detail"):
                url = reverse(f"decisions:{view}", kwargs={"reference": reference})
                pages[f"{view} {reference}"] = client.get(url).content.decode()
        assert {step.key for step in flow.steps} <= set(pages), "every live page is rendered"
        return pages

    def pdf_of(self, version: DecisionVersion) -> str:
        version = DecisionVersion.objects.select_related("decision", "submitted_by").get(pk=version.pk)
        data = pdf.render_pdf(version, generated_by=self.alice_practitioner_org_a, verify_url=VERIFY_URL)
        return pdf_text(data or b"")

    def test_2024_pages_and_pdf_show_no_2018_rule_or_wording(self) -> None:
        pages = self.pages_of("2024")
        found = {key: wrong for key, page in pages.items() if (wrong := wrong_wording("2024", page))}
        assert found == {}
        consent_basis = _flat(pages["consent_basis"])
        assert "the next page asks why" not in consent_basis
        assert consent_basis.count("rarely the most appropriate") == 1, "explained once"
        version = examples.record_example_2024_decision(by=self.alice_practitioner_org_a)
        assert wrong_wording("2024", self.pdf_of(version)) == []

    def test_2018_pages_and_pdf_show_no_2024_rule_or_wording(self) -> None:
        pages = self.pages_of("2018")
        found = {key: wrong for key, page in pages.items() if (wrong := wrong_wording("2018", page))}
        assert found == {}
        version = make_submitted_decision(self.alice_practitioner_org_a)
        assert wrong_wording("2018", self.pdf_of(version)) == []
