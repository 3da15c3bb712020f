"""Keep each record's schedule facts current: after a submit or amendment, and with each review."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from decisions.models import Decision, DecisionVersion
from oversight.models import Review

from . import schedule


@receiver(post_save, sender=DecisionVersion)
def _with_submit(sender: Any, instance: DecisionVersion, created: bool, **kwargs: Any) -> None:
    if created:
        # Inside the submit's transaction, so the due list never misses a record, and once: nothing the schedule
        # reads changes after commit. Whatever writes a record's people links must do so before its version is saved.
        schedule.refresh(Decision.objects.select_related("organisation").get(pk=instance.decision_id))


@receiver(post_save, sender=Review)
def _after_review(sender: Any, instance: Review, created: bool, **kwargs: Any) -> None:
    if created:
        # Inside the review's own transaction.
        schedule.refresh(Decision.objects.get(pk=instance.decision_id))
