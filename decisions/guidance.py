"""The guidance a decision is made under, as data, keyed by edition.

An edition holds its principles (the "seven golden rules") and the wording of every question page. Two
editions stand side by side: July 2018 (with the local procedure built on it) and May 2024. Each
organisation chooses the edition of its new decisions (`Organisation.guidance_edition`); a decision keeps
the edition it was started under for ever (its drafts and amendments too), so old records read as made.

Within an edition the pages have been laid out more than once (a "layout": see wizard.py). Wording that a
submitted record was made with is kept here under its layout (the `_V1` names), so old records read as
they were answered. Never reword a `_V1` entry.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# The edition code of records and flows that say none (tests, the performance harness). New decisions take
# their organisation's edition instead.
CURRENT_EDITION = "2018"


@dataclass(frozen=True)
class Principle:
    number: int
    title: str
    text: str


@dataclass(frozen=True)
class QuestionText:
    title: str
    caption: str = ""
    rule: int | None = None
    intro: str = ""


@dataclass(frozen=True)
class Edition:
    code: str
    title: str
    source: str
    principles: tuple[Principle, ...]
    # The wording of each layout's pages, by layout number (wizard.py holds the layouts' step lists).
    questions: dict[int, dict[str, QuestionText]] = field(default_factory=dict)
    # How the principles' wording was obtained, said wherever they are printed in full.
    wording_note: str = ""
    short_title: str = ""

    def principle(self, number: int | None) -> Principle | None:
        return next((p for p in self.principles if p.number == number), None)

    def question_title(self, key: str) -> str | None:
        """A page's title in the newest layout that has it (audit events name pages by key only)."""
        for layout in sorted(self.questions, reverse=True):
            if key in self.questions[layout]:
                return self.questions[layout][key].title
        return None


GOLDEN_RULES_2018 = (
    Principle(
        1,
        "The law is not a barrier",
        "Remember that the UK General Data Protection Regulation (GDPR), Data Protection Act 2018 and human "
        "rights law are not barriers to justified information sharing, but provide a framework to ensure that "
        "personal information about living individuals is shared appropriately.",
    ),
    Principle(
        2,
        "Be open and honest",
        "Be open and honest with the individual (and/or their family where appropriate) from the outset about "
        "why, what, how and with whom information will, or could be shared, and seek their agreement, unless "
        "it is unsafe or inappropriate to do so.",
    ),
    Principle(
        3,
        "Seek advice",
        "Seek advice from other practitioners if you are in any doubt about sharing the information "
        "concerned, without disclosing the identity of the individual where possible.",
    ),
    Principle(
        4,
        "Share with consent where appropriate",
        "Where possible, share information with consent, and where possible, respect the wishes of those who "
        "do not consent to having their information shared. Under the UK GDPR and Data Protection Act 2018 "
        "you may share information without consent if, in your judgement, there is a lawful basis to do so, "
        "such as where safety may be at risk.",
    ),
    Principle(
        5,
        "Consider safety and well-being",
        "Base your information sharing decisions on considerations of the safety and well-being of the "
        "individual and others who may be affected by their actions.",
    ),
    Principle(
        6,
        "Necessary, proportionate, relevant, adequate, accurate, timely and secure",
        "Ensure that the information you share is necessary for the purpose for which you are sharing it, is "
        "shared only with those individuals who need to have it, is accurate and up-to-date, is shared in a "
        "timely fashion, and is shared securely.",
    ),
    Principle(
        7,
        "Keep a record",
        "Keep a record of your decision and the reasons for it – whether it is to share information or not. "
        "If you decide to share, then record what you have shared, with whom and for what purpose.",
    ),
)

# The first layout's pages (records submitted before the flow was reshaped). Frozen.
QUESTIONS_2018_V1 = {
    "request": QuestionText(
        "About the request",
        caption="The request",
        intro="Tell us who asked for the information, or who proposed sharing it, and why.",
    ),
    "information": QuestionText("What information is being considered for sharing?", caption="The information"),
    "advice": QuestionText("Did you seek advice about sharing this information?", caption="Seek advice", rule=3),
    "consent": QuestionText("Consent to share", caption="Consent", rule=4),
    "consent_outcome": QuestionText("What was the response when you sought consent?", caption="Consent", rule=4),
    "consent_not_sought": QuestionText("Why was consent not sought?", caption="Consent", rule=4),
    "lawful_basis": QuestionText("What is the lawful basis for sharing?", caption="Lawful basis", rule=1),
    "special_category": QuestionText(
        "Which condition allows you to share special category data?", caption="Lawful basis", rule=1
    ),
    "criminal_offence": QuestionText(
        "Which condition allows you to share criminal offence data?", caption="Lawful basis", rule=1
    ),
    "safety": QuestionText("How does sharing, or not sharing, affect safety and well-being?", caption="Safety", rule=5),
    "rule6": QuestionText(
        "Is the information necessary, proportionate, relevant, adequate, accurate, timely and secure?",
        caption="Necessary and proportionate",
        rule=6,
    ),
    "open_honest": QuestionText(
        "Were the child or family told what would be shared and why?", caption="Openness", rule=2
    ),
    "decision": QuestionText("What have you decided?", caption="Your decision", rule=7),
    "without_consent": QuestionText("Why are you sharing without consent?", caption="Your decision", rule=4),
    "recipients": QuestionText("Who is the information shared with?", caption="Recipients", rule=7),
}

# The second layout: weigh the request, decide, then only the questions that the decision makes meaningful.
# Frozen (records submitted in layout 2 read by it).
QUESTIONS_2018_V2 = {
    "request": QuestionText(
        "About the request",
        caption="The request",
        intro="Tell us who asked for the information, or who proposed sharing it, and why.",
    ),
    "information": QuestionText("What information is being considered for sharing?", caption="The information"),
    "advice": QuestionText("Did you seek advice about sharing this information?", caption="Seek advice", rule=3),
    "consent": QuestionText("Did you seek consent to share the information?", caption="Consent", rule=4),
    "consent_outcome": QuestionText("What was the response when you sought consent?", caption="Consent", rule=4),
    "consent_not_sought": QuestionText("Why was consent not sought?", caption="Consent", rule=4),
    "safety": QuestionText("How does sharing, or not sharing, affect safety and well-being?", caption="Safety", rule=5),
    "necessary": QuestionText(
        "Would sharing the information be necessary and proportionate?",
        caption="Necessary and proportionate",
        rule=6,
        intro="If sharing would not be necessary, or not proportionate, that is a good reason not to share.",
    ),
    "decision": QuestionText("What have you decided?", caption="Your decision", rule=7),
    "without_consent": QuestionText("Why are you sharing without consent?", caption="Sharing", rule=4),
    "lawful_basis": QuestionText("What is the lawful basis for sharing?", caption="Lawful basis", rule=1),
    "special_category": QuestionText(
        "Which condition allows you to share special category data?", caption="Lawful basis", rule=1
    ),
    "criminal_offence": QuestionText(
        "Which condition allows you to share criminal offence data?", caption="Lawful basis", rule=1
    ),
    "quality": QuestionText(
        "Is what you will share relevant, adequate, accurate and timely?",
        caption="What you share",
        rule=6,
        intro="Answer no where a quality does not hold, and say why. If every quality holds, that is all you need.",
    ),
    "open_honest": QuestionText(
        "Were the child or family told why, what, how and with whom the information would be shared?",
        caption="Openness",
        rule=2,
    ),
    "sending": QuestionText("How will it be sent securely?", caption="Sending it securely", rule=6),
    "recipients": QuestionText("Who is the information shared with?", caption="Recipients", rule=7),
    "requester_told": QuestionText(
        "Have you told the person who asked that you will not share the information?",
        caption="Not sharing",
        rule=7,
    ),
    "alternatives": QuestionText(
        "What have you offered instead?",
        caption="Not sharing",
        rule=7,
        intro="For example, a smaller part of the information, or a referral to another service.",
    ),
}

# The current layout: layout 2 with the people the decision is about and every recipient.
QUESTIONS_2018 = {
    **QUESTIONS_2018_V2,
    "people": QuestionText(
        "Who is this decision about?",
        caption="The people",
        intro="Add each child and adult the information is about. Find them if they are already on a record, "
        "or add them. Record only what identifies someone.",
    ),
    "consent": QuestionText("Did you seek consent to share the information?", caption="Consent", rule=4),
    "open_honest": QuestionText(
        "Were the child or family told why, what, how and with whom the information would be shared?",
        caption="Openness",
        rule=2,
    ),
    "recipients": QuestionText(
        "Who is the information shared with?",
        caption="Recipients",
        rule=7,
        intro="Add everyone you share it with. Say what each was given where that differs between them.",
    ),
}

# The May 2024 advice's seven golden rules. The published PDF could not be read from here: each text is as
# close to it as published secondary sources allow, and WORDING_NOTE_2024 says which (see the README too).
GOLDEN_RULES_2024 = (
    Principle(
        1,
        "Protecting the child comes before privacy",
        "All children have a right to be protected from abuse and neglect. Protecting a child from such harm "
        "takes priority over protecting their privacy, or the privacy rights of the person(s) failing to "
        "protect them. The UK General Data Protection Regulation (UK GDPR) and the Data Protection Act 2018 "
        "(DPA) provide a framework to support information sharing where practitioners have reason to believe "
        "failure to share information may result in the child being at risk of harm.",
    ),
    Principle(
        2,
        "Engage the child and family",
        "When you have a safeguarding concern, wherever it is practicable and safe to do so, engage with the "
        "child and/or their carer(s), and explain who you intend to share information with, what information "
        "you will be sharing and why. You are not required to inform them if you have reason to believe that "
        "doing so may put the child at increased risk of harm.",
    ),
    Principle(
        3,
        "Consent is not needed when a child is at risk",
        "You do not need consent to share personal information about a child and/or members of their family if "
        "a child is at risk or there is a perceived risk of harm. You need a lawful basis to share information "
        "under data protection law, but when you intend to share information as part of action to safeguard a "
        "child, consent may not be the most appropriate lawful basis.",
    ),
    Principle(
        4,
        "Seek advice promptly",
        "Seek advice promptly whenever you are uncertain or do not fully understand how the legal framework "
        "supports information sharing in a particular case. Do not leave a child at risk of harm because you "
        "have concerns you might be criticised for sharing information.",
    ),
    Principle(
        5,
        "Protect identities",
        "When sharing information, you and the person or agency you share with should take steps to protect the "
        "identities of any individuals (for example, the child, a carer, a neighbour, or a colleague) who might "
        "suffer harm if their details became known to an abuser or one of their associates.",
    ),
    Principle(
        6,
        "Share only relevant and accurate information",
        "Only share relevant and accurate information with individuals or agencies who have a role in "
        "safeguarding the child and/or providing their family with support, and only share the information they "
        "need to support the provision of their services. Sharing information with a third party rarely "
        "requires you to share an entire record or case file: you must only share information that is "
        "necessary, proportionate for the intended purpose, relevant, adequate and accurate.",
    ),
    Principle(
        7,
        "Record the reasons for your decision",
        "Record the reasons for your information sharing decision, irrespective of whether or not you decide to "
        "share information. If you decide not to share, be prepared to explain why, and work with the person "
        "who asked to find a way to support the child, for example by sharing part of the information.",
    ),
)

WORDING_NOTE_2024 = (
    "The rules' wording here was checked against published summaries of the May 2024 advice, not against the "
    "published document itself. Rule 1's first two sentences and rule 3's first sentence match those summaries "
    "word for word; rule 6's list (necessary, proportionate for the intended purpose, relevant, adequate and "
    "accurate) does too. The rest gives each rule's substance. Check the published advice before relying on "
    "the exact words."
)

# Timely and secure are not in the 2024 rule 6 list, but remain good practice: timeliness is asked beside the
# rule 6 qualities, marked as good practice, and "secure" is how the information is sent (UK GDPR Article
# 5(1)(f) requires appropriate security whatever the advice says).
# The first 2024 layout's pages (a free-text subject, one recipient, rule 5 as one question). Frozen.
QUESTIONS_2024_V1 = {
    "request": QuestionText(
        "About the request",
        caption="The request",
        intro="Tell us who asked for the information, or who proposed sharing it, and why.",
    ),
    "information": QuestionText("What information is being considered for sharing?", caption="The information"),
    "advice": QuestionText("Did you seek advice about sharing this information?", caption="Seek advice", rule=4),
    "consent": QuestionText(
        "Did you ask for consent to share the information?",
        caption="Consent",
        rule=3,
        intro="You do not need consent to share if a child is at risk or there is a perceived risk of harm. "
        "Say whether you asked, whatever the answer.",
    ),
    "consent_outcome": QuestionText("What was the response when you asked for consent?", caption="Consent", rule=3),
    "consent_not_sought": QuestionText("Why did you not ask for consent?", caption="Consent", rule=3),
    "safety": QuestionText(
        "How does sharing, or not sharing, affect the child's protection from harm?", caption="Safety", rule=1
    ),
    "necessary": QuestionText(
        "Would sharing be necessary and proportionate for the intended purpose?",
        caption="Necessary and proportionate",
        rule=6,
        intro="If sharing would not be necessary, or not proportionate, that is a good reason not to share.",
    ),
    "decision": QuestionText("What have you decided?", caption="Your decision", rule=7),
    "without_consent": QuestionText("Why are you sharing without consent?", caption="Sharing", rule=3),
    "lawful_basis": QuestionText("What is the lawful basis for sharing?", caption="Lawful basis", rule=3),
    "consent_basis": QuestionText(
        "Why is consent the right lawful basis for this sharing?",
        caption="Lawful basis",
        rule=3,
        intro="The 2024 advice says consent is rarely the most appropriate lawful basis for sharing to safeguard a "
        "child: it must be freely given and can be withdrawn at any time, and then the sharing must stop. Public "
        "task (Article 6(1)(e)) or legal obligation (Article 6(1)(c)) usually fit better. If consent is still "
        "right here, say why.",
    ),
    "special_category": QuestionText(
        "Which condition allows you to share special category data?", caption="Lawful basis", rule=3
    ),
    "criminal_offence": QuestionText(
        "Which condition allows you to share criminal offence data?", caption="Lawful basis", rule=3
    ),
    "quality": QuestionText(
        "Is what you will share relevant, adequate and accurate?",
        caption="What you share",
        rule=6,
        intro="Answer no where a quality does not hold, and say why. Timeliness is not in the 2024 rule 6 list but "
        "is still good practice, so it is asked too.",
    ),
    "engage": QuestionText(
        "Did you explain to the child or family who you will share with, what and why?",
        caption="Engaging the child and family",
        rule=2,
    ),
    "protect_identities": QuestionText(
        "How are you protecting the identities of people who could be harmed?",
        caption="Protecting identities",
        rule=5,
        intro="Think of anyone who might suffer harm if their details became known to an abuser or their "
        "associates: the child, a carer, a neighbour, a colleague.",
    ),
    "sending": QuestionText("How will it be sent securely?", caption="Sending it securely", rule=6),
    "recipients": QuestionText("Who is the information shared with?", caption="Recipients", rule=6),
    "requester_told": QuestionText(
        "Have you told the person who asked that you will not share the information?",
        caption="Not sharing",
        rule=7,
    ),
    "alternatives": QuestionText(
        "What have you offered instead to support the child?",
        caption="Not sharing",
        rule=7,
        intro="The 2024 advice asks you to work with the person who asked to find a way to support the child, for "
        "example by sharing part of the information.",
    ),
}

# The current 2024 layout: the people on the record, every recipient, and rule 5 asked for each person whose
# identity is protected.
QUESTIONS_2024 = {
    **QUESTIONS_2024_V1,
    "people": QuestionText(
        "Who is this decision about?",
        caption="The people",
        intro="Add each child and adult the information is about. Find them if they are already on a record, "
        "or add them. Record only what identifies someone. Protect the identity of anyone who might suffer harm "
        "if their details became known, such as a carer, a neighbour or the person who raised the concern.",
    ),
    "engage": QuestionText(
        "Did you explain to the child or family who you will share with, what and why?",
        caption="Engaging the child and family",
        rule=2,
        intro="If you did not, say why, and whether they will be told later.",
    ),
    "protect_identities": QuestionText(
        "How are you protecting the identities of people who could be harmed?",
        caption="Protecting identities",
        rule=5,
        intro="You marked these people's identities as protected on the people page. For each of them, say what "
        "you have done to keep their details from anyone who could harm them, and what you have asked the "
        "recipient to do.",
    ),
    "recipients": QuestionText(
        "Who is the information shared with?",
        caption="Recipients",
        rule=6,
        intro="Add everyone you share it with. Say what each was given where that differs between them.",
    ),
}

EDITIONS: dict[str, Edition] = {
    "2018": Edition(
        code="2018",
        title="Information sharing: advice for practitioners providing safeguarding services (July 2018)",
        source="HM Government, July 2018, with the local procedure 1.1 Sharing information",
        principles=GOLDEN_RULES_2018,
        questions={1: QUESTIONS_2018_V1, 2: QUESTIONS_2018_V2, 3: QUESTIONS_2018},
        short_title="July 2018",
    ),
    "2024": Edition(
        code="2024",
        title=(
            "Information sharing: advice for practitioners providing safeguarding services for children, young "
            "people, parents and carers (May 2024)"
        ),
        source="HM Government, May 2024, read with Working Together to Safeguard Children 2023",
        principles=GOLDEN_RULES_2024,
        questions={1: QUESTIONS_2024_V1, 2: QUESTIONS_2024},
        wording_note=WORDING_NOTE_2024,
        short_title="May 2024",
    ),
}

# (code, label) for filters and settings, oldest first.
EDITION_CHOICES = [(code, ed.short_title) for code, ed in EDITIONS.items()]


def edition(code: str) -> Edition:
    return EDITIONS[code]


# Choices used by the questions. Stored values never change; labels may be reworded.
YES_NO = [("yes", "Yes"), ("no", "No")]

REQUEST_ORIGINS = [
    ("other_agency", "Another agency asked us to share information"),
    ("own_agency", "We propose to share information"),
]

INFORMATION_CATEGORIES = [
    ("identity", "Names, dates of birth and addresses"),
    ("family", "Family circumstances and relationships"),
    ("health", "Physical or mental health"),
    ("education", "Education and attendance"),
    ("social_care", "Social care involvement"),
    ("police", "Police involvement or allegations"),
    ("other", "Something else"),
]

ADVICE_SOURCES = [
    ("dsl", "Designated safeguarding lead"),
    ("manager", "Manager or supervisor"),
    ("caldicott", "Caldicott guardian"),
    ("information_governance", "Information governance or data protection officer"),
    ("legal", "Legal services"),
    ("other", "Someone else"),
]

IDENTITY_WITHHELD = [
    ("yes", "Yes, I did not say who the child or family was"),
    ("no", "No, I had to say who they were"),
]

CONSENT_OUTCOMES = [
    ("given", "Consent was given"),
    ("refused", "Consent was refused"),
    ("withdrawn", "Consent was given, then withdrawn"),
    ("not_obtained", "Consent could not be obtained (for example, the person lacks capacity)"),
]

# The local procedure (West Midlands 1.1): consent should always be sought "unless doing so is likely to place
# the child at risk of significant harm through delay, or the parent's actions or reactions, or lead to the
# loss of evidential material".
CONSENT_THRESHOLD = (
    "Consent to share information should always be sought unless doing so is likely to place the child at risk "
    "of significant harm through delay, or the parent's actions or reactions, or lead to the loss of evidential "
    "material."
)

NOT_SOUGHT_REASONS = [
    ("delay", "Seeking consent is likely to place the child at risk of significant harm through delay"),
    (
        "parent_reaction",
        "Seeking consent is likely to place the child at risk of significant harm through the parent's actions "
        "or reactions",
    ),
    ("evidence_loss", "Seeking consent is likely to lead to the loss of evidential material"),
    ("other", "Another reason"),
]

# As the first layout worded them ("would place": a higher bar than the procedure's). Frozen.
NOT_SOUGHT_REASONS_V1 = [
    ("delay", "Seeking consent would place the child at risk of significant harm through delay"),
    (
        "parent_reaction",
        "Seeking consent would place the child at risk of significant harm through the parent's actions or reactions",
    ),
    ("evidence_loss", "Seeking consent would lead to the loss of evidential material"),
    ("other", "Another reason"),
]

ARTICLE_6 = [
    ("a_consent", "Article 6(1)(a) consent"),
    ("c_legal_obligation", "Article 6(1)(c) legal obligation"),
    ("d_vital_interests", "Article 6(1)(d) vital interests"),
    ("e_public_task", "Article 6(1)(e) public task"),
    ("f_legitimate_interests", "Article 6(1)(f) legitimate interests"),
]

ARTICLE_9 = [
    ("9_2_a_explicit_consent", "Article 9(2)(a) explicit consent"),
    (
        "9_2_b_employment_social_security",
        "Article 9(2)(b) employment, social security and social protection law",
    ),
    ("9_2_c_vital_interests", "Article 9(2)(c) vital interests, where consent cannot be given"),
    ("9_2_g_substantial_public_interest", "Article 9(2)(g) substantial public interest"),
    ("9_2_h_health_social_care", "Article 9(2)(h) health or social care"),
]

SCHEDULE_1_PARAGRAPHS = [
    ("para_18", "DPA 2018 Schedule 1 paragraph 18: safeguarding of children and individuals at risk"),
    ("para_6", "DPA 2018 Schedule 1 paragraph 6: statutory and government purposes"),
    ("para_10", "DPA 2018 Schedule 1 paragraph 10: preventing or detecting unlawful acts"),
    ("para_2", "DPA 2018 Schedule 1 paragraph 2: health or social care purposes"),
    ("other", "Another condition"),
]

CRIMINAL_OFFENCE_CONDITIONS = [
    ("para_18", "DPA 2018 Schedule 1 paragraph 18: safeguarding of children and individuals at risk"),
    ("para_10", "DPA 2018 Schedule 1 paragraph 10: preventing or detecting unlawful acts"),
    ("para_6", "DPA 2018 Schedule 1 paragraph 6: statutory and government purposes"),
    ("para_33", "DPA 2018 Schedule 1 paragraph 33: legal claims"),
    ("other", "Another condition"),
]

# The 2024 edition's gateways: Working Together 2023 is the statutory framework its questions refer to, and the
# 2013 Protocol (which the local procedure names) joins the list. The 2018 list is shared with frozen layouts.
STATUTORY_GATEWAYS_2024 = [
    ("ca1989_s17", "Children Act 1989 section 17 (children in need)"),
    ("ca1989_s47", "Children Act 1989 section 47 (enquiries into significant harm)"),
    ("ca2004_s10", "Children Act 2004 section 10 (co-operation to improve well-being)"),
    ("ca2004_s11", "Children Act 2004 section 11 (duty to safeguard and promote welfare)"),
    ("cda1998_s115", "Crime and Disorder Act 1998 section 115"),
    ("wt2023", "Working Together to Safeguard Children 2023 (statutory guidance)"),
    (
        "protocol_2013",
        "2013 Protocol and Good Practice Model: disclosure of information in cases of alleged child abuse and "
        "linked criminal and care directions hearings",
    ),
    ("none", "No specific statutory gateway"),
]

STATUTORY_GATEWAYS = [
    ("ca1989_s17", "Children Act 1989 section 17 (children in need)"),
    ("ca1989_s47", "Children Act 1989 section 47 (enquiries into significant harm)"),
    ("ca2004_s10", "Children Act 2004 section 10 (co-operation to improve well-being)"),
    ("ca2004_s11", "Children Act 2004 section 11 (duty to safeguard and promote welfare)"),
    ("cda1998_s115", "Crime and Disorder Act 1998 section 115"),
    ("none", "No specific statutory gateway"),
]

# The first layout's golden rule 6 page: seven yes/no questions, each with an explanation. Frozen.
RULE6_TESTS_V1 = [
    ("necessary", "Necessary", "Is sharing necessary for the purpose?"),
    ("proportionate", "Proportionate", "Is the amount shared proportionate to the need and the risk?"),
    ("relevant", "Relevant", "Is only information relevant to the purpose shared?"),
    ("adequate", "Adequate", "Is it enough for the recipient to understand and act on it?"),
    ("accurate", "Accurate", "Is it accurate and up to date, with fact and opinion kept apart?"),
    ("timely", "Timely", "Is it shared in time to reduce the risk?"),
    ("secure", "Secure", "Will it be shared securely?"),
]

# Golden rule 6, asked where each quality means something: necessary and proportionate while weighing the
# request; the others once the decision is to share; "secure" as how it will be sent. Each is
# (key, quality, question, what the explanation is asked for when the answer is no).
NECESSITY_TESTS = [
    ("necessary", "Necessary", "Would sharing be necessary for the purpose?", "it is not necessary"),
    (
        "proportionate",
        "Proportionate",
        "Would sharing be proportionate to the need and the risk?",
        "it is not proportionate",
    ),
]

QUALITY_TESTS = [
    ("relevant", "Relevant", "Will you share only information that is relevant to the purpose?", "it is not relevant"),
    (
        "need_to_know",
        "Only with those who need it",
        "Will it be shared only with those individuals who need to have it?",
        "others will have it",
    ),
    ("adequate", "Adequate", "Is it enough for the recipient to understand and act on it?", "it is not adequate"),
    (
        "accurate",
        "Accurate",
        "Is it accurate and up to date, with fact and opinion kept apart?",
        "it is not accurate",
    ),
    ("timely", "Timely", "Will it be shared in a timely fashion?", "it is not timely"),
]

NO_SHARE_REASONS = [
    ("not_necessary", "Sharing would not be necessary for the purpose"),
    ("not_proportionate", "Sharing would not be proportionate to the need and the risk"),
    ("respect_wishes", "You are respecting the wishes of someone who does not consent to it being shared"),
    ("no_role", "The person who asked does not need to have it"),
    ("other", "Another reason"),
]

ALTERNATIVES_OFFERED = [
    ("part", "A smaller part of the information"),
    ("referral", "A referral to another service"),
    ("advice", "Advice, or a meeting to discuss the concern"),
    ("other", "Something else"),
    ("nothing", "Nothing"),
]

TOLD_OPTIONS = [
    ("yes", "Yes, they were told"),
    ("no", "No, they were not told"),
]

SHARING_METHODS = [
    ("secure_email", "Secure email"),
    ("secure_portal", "Secure portal or case system"),
    ("phone", "Telephone"),
    ("meeting", "In a meeting"),
    ("post", "Recorded delivery post"),
    ("other", "Another way"),
]

PERSON_PARTS = [
    ("child", "The child the concern is about"),
    ("other_child", "Another child"),
    ("parent_carer", "Parent or carer"),
    ("other_adult", "Other adult"),
]

BIRTH_DATE_ACCURACY = [
    ("exact", "Yes"),
    ("approximate", "Approximately"),
    ("unknown", "No"),
]

CONSENT_METHODS = [
    ("in_person", "In person"),
    ("phone", "By telephone"),
    ("writing", "In writing or by email"),
    ("other", "Another way"),
]

YOUNG_PERSON_CONSENT = [
    ("yes", "Yes"),
    ("no", "No"),
]

# Why consent was not asked for, in the 2024 advice's terms (rule 3: consent is not needed where a child is at
# risk, and is rarely the lawful basis). Stored values never change.
NOT_SOUGHT_REASONS_2024 = [
    ("increase_risk", "Asking could increase the risk of harm to the child"),
    ("delay", "Asking would cause a delay that could put the child at risk"),
    ("evidence_loss", "Asking could lead to the loss of evidence"),
    ("not_basis", "Consent is not the lawful basis for this sharing, so it was not needed"),
    ("other", "Another reason"),
]

# Rule 6 under 2024, with timeliness kept as good practice (see QUESTIONS_2024).
QUALITY_TESTS_2024 = [
    ("relevant", "Relevant", "Will you share only information that is relevant to the purpose?", "it is not relevant"),
    (
        "need_to_know",
        "Only with those who have a role",
        "Will it be shared only with those who have a role in safeguarding the child or supporting the family?",
        "others will have it",
    ),
    ("adequate", "Adequate", "Is it enough for the recipient to understand and act on it?", "it is not adequate"),
    (
        "accurate",
        "Accurate",
        "Is it accurate and up to date, with fact and opinion kept apart?",
        "it is not accurate",
    ),
    (
        "timely",
        "Timely",
        "Good practice: will it be shared in time to protect the child?",
        "it is not timely",
    ),
]

NECESSITY_TESTS_2024 = [
    ("necessary", "Necessary", "Would sharing be necessary for the purpose?", "it is not necessary"),
    (
        "proportionate",
        "Proportionate",
        "Would sharing be proportionate for the intended purpose?",
        "it is not proportionate",
    ),
]
