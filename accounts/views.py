"""Two-step verification pages, the account security page, the sign-in lockout page, and password reset."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import passwords, twofactor
from .forms import NewPasswordForm, PasswordResetRequestForm, TwoFactorCodeForm
from .middleware import two_factor_exempt


def _next_url(request: HttpRequest) -> str:
    """Where the user was going before verification: only a path on this site (not a view name, which
    `redirect()` would try to reverse, nor another host)."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate.startswith("/") and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse(settings.LOGIN_REDIRECT_URL)


def _pending(request: HttpRequest) -> bool:
    return twofactor.needed(request) and not twofactor.is_verified(request.user)


def _clear_code(form: TwoFactorCodeForm) -> None:
    """A wrong code is not shown again: the next one is a new code."""
    form.data = {**form.data, "code": ""}


def _wait_message(wait_until: Any) -> str:
    if wait_until is None:
        return ""
    seconds = max(1, int((wait_until - timezone.now()).total_seconds()))
    return f"You entered a wrong code. Wait {seconds} second{'s' if seconds != 1 else ''} and try again"


def locked_out(request: HttpRequest, original_response: Any = None, credentials: Any = None) -> HttpResponse:
    """What axes shows once a username has failed too often from this address (status 429)."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "registration/locked_out.html", {"cooloff_minutes": minutes}, status=429)


@two_factor_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    user = request.user
    # Replacing a phone needs a verified session; otherwise a stolen password could swap the app.
    if twofactor.has_app_device(user) and not twofactor.is_verified(user):
        return redirect(f"{reverse('accounts:two_factor_verify')}?{request.GET.urlencode()}")
    device = twofactor.pending_app_device(user)
    form = TwoFactorCodeForm(data=request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        result = twofactor.enrol_confirm(user=user, token=form.cleaned_data["code"], request=request)
        if result.ok:
            request.session[twofactor.SESSION_NEW_CODES] = list(result.codes)
            return redirect(
                f"{reverse('accounts:two_factor_recovery_codes')}?{urlencode({'next': _next_url(request)})}"
            )
        form.add_error(
            "code",
            _wait_message(result.wait_until)
            or "The code is not right. Check the app shows the code for this service, and its time is correct",
        )
        _clear_code(form)
    return render(
        request,
        "accounts/two_factor_setup.html",
        {
            "form": form,
            "qr_code": twofactor.qr_code_data_uri(device),
            "secret": twofactor.secret_for_typing(device),
            "next": _next_url(request),
            "required": twofactor.is_required(user),
            "two_step_pending": _pending(request),
        },
    )


@two_factor_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    user = request.user
    if twofactor.is_verified(user):
        return HttpResponseRedirect(_next_url(request))
    if not twofactor.has_app_device(user):
        # Reset by an admin (or never set up): set up first, if verification is needed at all.
        if twofactor.is_required(user):
            return redirect(f"{reverse('accounts:two_factor_setup')}?{request.GET.urlencode()}")
        request.session.pop(twofactor.SESSION_HAS_DEVICE, None)
        return HttpResponseRedirect(_next_url(request))
    form = TwoFactorCodeForm(data=request.POST if request.method == "POST" else None, recovery=True)
    if request.method == "POST" and form.is_valid():
        result = twofactor.verify(user=user, token=form.cleaned_data["code"], request=request)
        if result.ok:
            if result.method == "recovery_code":
                left = twofactor.recovery_codes_left(user)
                messages.info(
                    request,
                    f"You used a recovery code. You have {left} left. "
                    "Make new codes from Account security if you are running out.",
                )
            return HttpResponseRedirect(_next_url(request))
        form.add_error(
            "code",
            _wait_message(result.wait_until)
            or "The code is not right. Enter the code the app shows now, or a recovery code",
        )
        _clear_code(form)
    return render(
        request,
        "accounts/two_factor_verify.html",
        {"form": form, "next": _next_url(request), "two_step_pending": _pending(request)},
    )


@never_cache
@require_http_methods(["GET", "POST"])
def two_factor_recovery_codes(request: HttpRequest) -> HttpResponse:
    """GET shows codes just made, once; POST makes a new set (the old ones stop working)."""
    if not twofactor.has_app_device(request.user):
        return redirect("accounts:security")
    if request.method == "POST":
        request.session[twofactor.SESSION_NEW_CODES] = twofactor.regenerate_recovery_codes(
            user=request.user, request=request
        )
        return redirect("accounts:two_factor_recovery_codes")
    codes = request.session.pop(twofactor.SESSION_NEW_CODES, None)
    if not codes:
        return redirect("accounts:security")
    return render(request, "accounts/recovery_codes.html", {"codes": codes, "next": _next_url(request)})


@require_GET
def account_security(request: HttpRequest) -> HttpResponse:
    user = request.user
    return render(
        request,
        "accounts/security.html",
        {
            "has_app": twofactor.has_app_device(user),
            "codes_left": twofactor.recovery_codes_left(user),
            "required": twofactor.is_required(user),
        },
    )


@require_POST
def two_factor_disable(request: HttpRequest) -> HttpResponse:
    if twofactor.is_required(request.user):
        raise PermissionDenied
    twofactor.disable(user=request.user, request=request)
    messages.success(request, "Two-step verification is off. You sign in with your password only.")
    return redirect("accounts:security")


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def password_reset_request(request: HttpRequest) -> HttpResponse:
    """Ask for a reset link. Whether the address has an account, the next page is the same."""
    form = PasswordResetRequestForm(data=request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        outcome = passwords.password_reset_request(email=form.cleaned_data["email"], request=request)
        if outcome.throttled:
            return render(request, "registration/password_reset_throttled.html", status=429)
        return redirect("accounts:password_reset_sent")
    return render(request, "registration/password_reset_form.html", {"form": form})


@login_not_required
@require_GET
def password_reset_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "registration/password_reset_sent.html", {"minutes": settings.PASSWORD_RESET_TIMEOUT // 60})


@method_decorator(login_not_required, name="dispatch")
class PasswordResetConfirm(auth_views.PasswordResetConfirmView):
    """Django's token check (a valid link is swapped for a session token, so the address bar and the
    Referer never hold it while the form is shown), then our service saves the password and audits it."""

    template_name = "registration/password_reset_confirm.html"
    form_class = NewPasswordForm
    success_url = reverse_lazy("accounts:password_reset_complete")
    invited = False

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "invited": self.invited}

    def form_valid(self, form: Any) -> HttpResponse:
        passwords.password_set(
            user=form.user, password=form.cleaned_data["new_password1"], invited=self.invited, request=self.request
        )
        del self.request.session[auth_views.INTERNAL_RESET_SESSION_TOKEN]
        return HttpResponseRedirect(self.get_success_url())


class InviteConfirm(PasswordResetConfirm):
    token_generator = passwords.invite_token_generator
    invited = True


@login_not_required
@require_GET
def password_reset_complete(request: HttpRequest) -> HttpResponse:
    return render(request, "registration/password_reset_complete.html")
