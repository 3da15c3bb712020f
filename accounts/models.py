"""Organisations (safeguarding partnerships), their teams, and who holds which role in them."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone


class Role(models.TextChoices):
    PRACTITIONER = "practitioner", "Practitioner"
    SUPERVISOR = "supervisor", "Supervisor"
    ADMIN = "admin", "Admin"
    AUDITOR = "auditor", "Auditor"


class ReviewTiming(models.TextChoices):
    AFTER_SHARING = "after", "After sharing (urgent sharing is never blocked)"
    BEFORE_SHARING = "before", "Before a decision to share is final"


class GuidanceEdition(models.TextChoices):
    """The editions of HM Government's advice that new decisions can be made under (decisions/guidance.py holds
    each edition's rules and questions; a test keeps the two lists the same)."""

    JULY_2018 = "2018", "July 2018 advice, with the local procedure built on it"
    MAY_2024 = "2024", "May 2024 advice, read with Working Together to Safeguard Children 2023"


class Organisation(models.Model):
    """A safeguarding partnership. Records never cross from one organisation to another."""

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=50, unique=True)
    reference_prefix = models.CharField(
        max_length=8, unique=True, help_text="Starts every decision reference, for example WMP."
    )
    review_timing = models.CharField(max_length=10, choices=ReviewTiming.choices, default=ReviewTiming.AFTER_SHARING)
    # The retention schedule (retention/schedule.py): a record is due for review when the youngest child on it
    # reaches this age, or, where no child's date of birth is known, this many years after its last activity.
    retention_child_age_years = models.PositiveSmallIntegerField(default=25)
    retention_no_birth_date_years = models.PositiveSmallIntegerField(default=6)
    # The edition new decisions are made under. New organisations start on the newest advice; organisations that
    # existed before it was added keep 2018 (migration 0003) until an admin changes it. A decision keeps the
    # edition it started with, whatever this becomes later.
    guidance_edition = models.CharField(
        max_length=10, choices=GuidanceEdition.choices, default=GuidanceEdition.MAY_2024
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(retention_child_age_years__gte=18, retention_child_age_years__lte=120),
                name="retention_child_age_sensible",
            ),
            models.CheckConstraint(
                condition=models.Q(retention_no_birth_date_years__gte=1, retention_no_birth_date_years__lte=120),
                name="retention_years_sensible",
            ),
            models.CheckConstraint(
                condition=models.Q(guidance_edition__in=[e.value for e in GuidanceEdition]),
                name="organisation_guidance_edition_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Team(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="teams")
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="team_name_unique_in_organisation"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.organisation})"


class User(AbstractUser):
    """Custom from the first migration so identity can grow without a painful swap later."""

    job_title = models.CharField(max_length=200, blank=True)
    # Set only by `manage.py seed_demo`, never in a form: `manage.py demo_code` prints two-step codes for these
    # accounts alone, so a real person's secret is never shown.
    demo_account = models.BooleanField(
        default=False, editable=False, help_text="Made by manage.py seed_demo for the demonstration."
    )

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username


class Membership(models.Model):
    """A user's role in one organisation.

    One membership per login keeps every query's organisation unambiguous; someone who works for two
    partnerships has two logins.
    """

    user = models.OneToOneField(User, on_delete=models.PROTECT, related_name="membership")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="memberships")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, null=True, blank=True, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    # When the current role was given (set on every save that changes it): a new admin cannot approve a disposal
    # at once (DISPOSAL_APPROVER_MIN_DAYS), so one person cannot dispose alone by promoting a second account.
    # NULL only before migration 0005 filled it in.
    role_since = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(role__in=[r.value for r in Role]), name="membership_role_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} at {self.organisation}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        before = (
            None if self.pk is None else Membership.objects.filter(pk=self.pk).values_list("role", flat=True).first()
        )
        if before != self.role or self.role_since is None:
            self.role_since = timezone.now()
            update_fields = kwargs.get("update_fields")
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "role_since"}
        super().save(*args, **kwargs)
