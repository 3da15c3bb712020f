from __future__ import annotations

from typing import Any

from axes.admin import AccessAttemptAdmin as AxesAccessAttemptAdmin
from axes.models import AccessAttempt
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import passwords, services, twofactor
from .forms import InviteUserForm
from .models import Membership, Organisation, Team, User

# django-otp's own device pages show secrets and QR codes, and delete devices without an audit record.
# Staff reset someone's two-step verification from their user page instead (the action below).
for _device_model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(_device_model):
        admin.site.unregister(_device_model)


class MembershipInline(admin.StackedInline):
    model = Membership
    can_delete = False
    extra = 0


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    inlines = [MembershipInline]
    list_display = ["username", "first_name", "last_name", "email", "is_active", "is_staff"]
    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        ("Work", {"fields": ["job_title"]}),
        ("Sign-in security", {"fields": ["two_step_verification", "demo_account"]}),
    )
    readonly_fields = ["two_step_verification", "demo_account"]
    actions = ["reset_two_factor", "unlock_sign_in", "send_set_password_link"]
    # A new user gets an email to set their own password; nobody types one for them.
    add_form = InviteUserForm
    add_form_template = "admin/change_form.html"
    add_fieldsets = ((None, {"fields": ["username", "first_name", "last_name", "email", "job_title"]}),)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        if not change:
            # After the membership inline is saved, so the event is in the new user's organisation's trail.
            passwords.account_invite(user=form.instance, by=request.user, request=request)
            self.message_user(request, f"We have emailed {form.instance.email} a link to set their password.")

    @admin.action(description="Send a set-your-password link")
    def send_set_password_link(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        sent = 0
        for user in queryset.select_related("membership"):
            if user.email and user.is_active:
                passwords.account_invite(user=user, by=request.user, request=request)
                sent += 1
        skipped = queryset.count() - sent
        note = f" {skipped} without an email address, or not active, were left out." if skipped else ""
        self.message_user(request, f"Set-your-password links sent to {sent} user(s).{note}", messages.SUCCESS)

    @admin.display(description="Two-step verification")
    def two_step_verification(self, obj: User) -> str:
        if obj.pk is None or not twofactor.has_app_device(obj):
            return "Not set up"
        return f"Set up, with {twofactor.recovery_codes_left(obj)} recovery codes left"

    @admin.action(description="Reset two-step verification")
    def reset_two_factor(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        for user in queryset:
            twofactor.reset(user=user, by=request.user, request=request, reason="Reset in the Django admin")
        self.message_user(request, f"Two-step verification reset for {queryset.count()} user(s).", messages.SUCCESS)

    @admin.action(description="Unlock sign-in after failed attempts")
    def unlock_sign_in(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        for user in queryset:
            services.sign_in_unlock(username=user.get_username(), by=request.user, request=request)
        self.message_user(request, f"Sign-in unlocked for {queryset.count()} user(s).", messages.SUCCESS)


if admin.site.is_registered(AccessAttempt):
    admin.site.unregister(AccessAttempt)


@admin.register(AccessAttempt)
class AccessAttemptAdmin(AxesAccessAttemptAdmin):
    """axes' list of failed sign-ins. Deleting an attempt unlocks that username, and is audited."""

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        with transaction.atomic():
            services.sign_in_unlock(username=obj.username or "", by=request.user, request=request)
            super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        with transaction.atomic():
            for username in sorted(set(queryset.values_list("username", flat=True))):
                services.sign_in_unlock(username=username or "", by=request.user, request=request)
            super().delete_queryset(request, queryset)


class TeamInline(admin.TabularInline):
    model = Team
    extra = 0


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "reference_prefix", "review_timing"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [TeamInline]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "organisation"]
    list_filter = ["organisation"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organisation", "team", "role"]
    list_filter = ["organisation", "role"]
    autocomplete_fields = ["user"]
    search_fields = ["user__username", "user__first_name", "user__last_name"]
