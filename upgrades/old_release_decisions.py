# Run by an earlier release's own `manage.py shell -c` (upgrades/run.py): where that release's seed_demo made no
# decisions (0.1.0), make some through its own services, as its tests do (its tests/factories.py), so an upgrade
# has records of every kind to carry: signed off, returned then amended, awaiting review, no consent, a draft.
# Written for the oldest listed release's code; it does nothing where seed_demo already made decisions.
from accounts.models import User
from decisions.models import Decision

if Decision.objects.filter(status="submitted").exists():
    print("seed_demo made the decisions")
else:
    from decisions import services
    from oversight import services as review_services
    from tests.factories import amend, make_submitted_decision

    made = 0
    for short in ("north", "south"):
        practitioner = User.objects.get(username=f"practitioner.{short}")
        supervisor = User.objects.get(username=f"supervisor.{short}")
        signed_off = make_submitted_decision(practitioner)
        review_services.review_approve(by=supervisor, decision=signed_off.decision, version=signed_off, comment="Fine")
        returned = make_submitted_decision(
            practitioner,
            overrides={"request": {"requester_name": "Dr Amir Khan", "case_reference": f"UPG-{short}-2"}},
        )
        review_services.review_return(
            by=supervisor, decision=returned.decision, version=returned, comment="Say what the mother agreed to"
        )
        amended = amend(
            practitioner,
            returned,
            "The supervisor asked what the mother agreed to",
            {"open_honest": {"told_detail": "Mother agreed to the attendance record going to the police"}},
        )
        review_services.review_approve(by=supervisor, decision=amended.decision, version=amended)
        make_submitted_decision(
            practitioner,
            [
                "request",
                "information",
                "advice",
                "consent",
                "consent_not_sought",
                "lawful_basis",
                "safety",
                "rule6",
                "open_honest",
                "decision",
                "without_consent",
                "recipients",
            ],
            {"consent": {"consent_sought": "no", "consent_from": ""}},
        )
        services.decision_start(by=practitioner)  # a draft left open
        made += 3
    print(f"made {made} decisions through the release's services")
