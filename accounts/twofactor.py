"""Two-step verification: who needs it, and every change to someone's devices (atomic and audited).

Supervisors, admins and auditors see every decision of their organisation, and staff can reset other
people's verification, so a password alone is not enough for them. Practitioners may turn it on.

A user has at most one confirmed authenticator app (a TOTP device) and one set of recovery codes (a static
device holding single-use tokens). django-otp keeps the verified device's id in the session.
"""

from __future__ import annotations

import base64
import io
import re
import time
from dataclasses import dataclass
from typing import Any

import django_otp
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.qr import write_qrcode_image

from accounts.models import Membership, Role
from audit import actions
from audit import services as audit

REQUIRED_ROLES = frozenset({Role.SUPERVISOR, Role.ADMIN, Role.AUDITOR})
RECOVERY_CODE_COUNT = 10
APP_CODE_DIGITS = 6
APP_DEVICE_NAME = "Authenticator app"
RECOVERY_DEVICE_NAME = "Recovery codes"
# Set at sign-in for anyone who has turned verification on, so a practitioner who opted in is asked too.
SESSION_HAS_DEVICE = "two_factor_has_device"
# Recovery codes are shown once, on the page after they are made.
SESSION_NEW_CODES = "two_factor_new_codes"

_NOT_TOKEN = re.compile(r"[\s-]+")


def _membership(user: Any) -> Membership | None:
    try:
        return user.membership  # type: ignore[no-any-return]
    except Membership.DoesNotExist:
        return None


def is_required(user: Any) -> bool:
    """The role demands it (or the account is staff, which can reset everyone else's)."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_staff:
        return True
    membership = _membership(user)
    return membership is not None and membership.role in REQUIRED_ROLES


def is_verified(user: Any) -> bool:
    """Passed two-step verification in this session (django-otp's middleware adds the check)."""
    check = getattr(user, "is_verified", None)
    return bool(check()) if check is not None else False


def needed(request: HttpRequest) -> bool:
    return is_required(request.user) or bool(request.session.get(SESSION_HAS_DEVICE))


def app_device(user: Any) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def has_app_device(user: Any) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def recovery_codes_left(user: Any) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def pending_app_device(user: Any) -> TOTPDevice:
    """The unconfirmed device being set up: the same secret on every visit, so a refresh after scanning
    the QR code does not invalidate what the app holds."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=APP_DEVICE_NAME, confirmed=False)
    return device


def qr_code_data_uri(device: TOTPDevice) -> str:
    """The otpauth:// address as an SVG QR code, made here (nothing is sent to a QR service)."""
    out = io.BytesIO()
    write_qrcode_image(device.config_url, out)
    return "data:image/svg+xml;base64," + base64.b64encode(out.getvalue()).decode("ascii")


def secret_for_typing(device: TOTPDevice) -> str:
    """The key in base32, in groups of four, for apps set up by typing rather than scanning."""
    secret = base64.b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def normalise(token: str) -> str:
    return _NOT_TOKEN.sub("", token or "").lower()


def _audit(
    action: str, *, user: Any, request: HttpRequest | None, by: Any = None, by_label: str = "", **details: Any
) -> None:
    membership = _membership(user)
    audit.record(
        action=action,
        actor=by if (by is not None or by_label) else user,
        actor_label=by_label,
        organisation=membership.organisation_id if membership else None,
        target=user,
        details=details,
        request=request,
    )


def _new_recovery_codes(user: Any) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def _mark_verified(request: HttpRequest, device: Any) -> None:
    # A new session key at the step up, as at sign-in, so a key seen before verification is worth nothing.
    request.session.cycle_key()
    django_otp.login(request, device)
    request.session[SESSION_HAS_DEVICE] = True


@dataclass(frozen=True)
class Verification:
    ok: bool
    method: str = ""
    # Recovery codes just made (at enrolment), to be shown once.
    codes: tuple[str, ...] = ()
    # Set when too many wrong codes mean the next try must wait.
    wait_until: Any = None


@transaction.atomic
def enrol_confirm(*, user: Any, token: str, request: HttpRequest) -> Verification:
    """Confirm the pending app with a code from it. On success the session is verified and new recovery
    codes are made; a wrong code slows the next try down, as at sign-in."""
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        return Verification(ok=False)
    allowed, info = device.verify_is_allowed()
    if not allowed:
        return Verification(ok=False, wait_until=(info or {}).get("locked_until"))
    if not device.verify_token(normalise(token)):
        return Verification(ok=False)
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    codes = _new_recovery_codes(user)
    _mark_verified(request, device)
    _audit(actions.TWO_FACTOR_ENROL, user=user, request=request, recovery_codes=len(codes))
    return Verification(ok=True, method="app", codes=tuple(codes))


def verify(*, user: Any, token: str, request: HttpRequest) -> Verification:
    """Check a code from the app (six digits), or else a recovery code (used up by this). Both outcomes are
    audited; django-otp makes each device wait longer after each wrong code, so only the device the code
    looks meant for is tried: a mistyped app code does not slow down the recovery codes."""
    token = normalise(token)
    app_code = len(token) == APP_CODE_DIGITS and token.isdigit()
    with transaction.atomic():
        devices: list[tuple[str, Any]]
        if app_code:
            devices = [("app", d) for d in TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True)]
        else:
            devices = [("recovery_code", d) for d in StaticDevice.objects.select_for_update().filter(user=user)]
        wait_until = None
        for method, device in devices:
            allowed, info = device.verify_is_allowed()
            if not allowed:
                wait_until = (info or {}).get("locked_until")
                continue
            if device.verify_token(token):
                _mark_verified(request, device)
                details: dict[str, Any] = {"method": method}
                if method == "recovery_code":
                    details["recovery_codes_left"] = device.token_set.count()
                _audit(actions.TWO_FACTOR_VERIFY, user=user, request=request, **details)
                return Verification(ok=True, method=method)
        _audit(actions.TWO_FACTOR_FAILED, user=user, request=request, throttled=wait_until is not None)
    return Verification(ok=False, wait_until=wait_until)


@transaction.atomic
def regenerate_recovery_codes(*, user: Any, request: HttpRequest) -> list[str]:
    """A fresh set of codes; the old ones stop working."""
    codes = _new_recovery_codes(user)
    _audit(actions.TWO_FACTOR_RECOVERY_CODES, user=user, request=request, recovery_codes=len(codes))
    return codes


def _remove_devices(user: Any) -> int:
    """How many devices went (an app, a set of recovery codes)."""
    _, apps = TOTPDevice.objects.filter(user=user).delete()
    _, static = StaticDevice.objects.filter(user=user).delete()
    return apps.get(TOTPDevice._meta.label, 0) + static.get(StaticDevice._meta.label, 0)


@transaction.atomic
def disable(*, user: Any, request: HttpRequest) -> None:
    """A practitioner turns it off for themselves. Roles that require it cannot."""
    if is_required(user):
        raise PermissionDenied("Two-step verification is required for this role")
    _remove_devices(user)
    request.session.pop(SESSION_HAS_DEVICE, None)
    request.session.pop(django_otp.DEVICE_ID_SESSION_KEY, None)
    _audit(actions.TWO_FACTOR_DISABLE, user=user, request=request)


@transaction.atomic
def reset(
    *, user: Any, by: Any = None, by_label: str = "", request: HttpRequest | None = None, reason: str = ""
) -> None:
    """Staff remove someone's app and recovery codes (a lost phone); `by_label` names who did it from the
    command line. Their open sessions stop being verified at once, and they set it up again at their next
    page."""
    removed = _remove_devices(user)
    _audit(
        actions.TWO_FACTOR_RESET,
        user=user,
        by=by,
        by_label=by_label,
        request=request,
        devices_removed=removed,
        reason=reason,
    )


DEMO_DEVICE_NAME = "Demo authenticator (seed_demo)"


class NotADemoAccount(PermissionDenied):
    """Only accounts made by seed_demo have their two-step key or codes shown."""


@transaction.atomic
def enrol_demo(*, user: Any) -> TOTPDevice:
    """Give a demo account (made by seed_demo) a confirmed authenticator key, so the demonstration needs no
    phone. Run again, it keeps the key it made. Audited, as any set-up is."""
    if not user.demo_account:
        raise NotADemoAccount("Not a demo account")
    device = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()
    if device is not None:
        return device
    TOTPDevice.objects.filter(user=user).delete()
    device = TOTPDevice.objects.create(user=user, name=DEMO_DEVICE_NAME, confirmed=True)
    _audit(actions.TWO_FACTOR_ENROL, user=user, request=None, by_label="manage.py seed_demo", demo=True)
    return device


def demo_key(user: Any) -> str:
    """A demo account's key, in groups of four, for typing into an authenticator app."""
    if not user.demo_account:
        raise NotADemoAccount("Not a demo account")
    device = app_device(user)
    if device is None:
        raise NotADemoAccount("No authenticator key")
    return secret_for_typing(device)


def demo_code(user: Any, at: float | None = None) -> tuple[str, int]:
    """A demo account's current code and how many seconds it has left."""
    if not user.demo_account:
        raise NotADemoAccount("Not a demo account")
    device = app_device(user)
    if device is None:
        raise NotADemoAccount("No authenticator key")
    now = time.time() if at is None else at
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = now
    left = device.step - int(now - device.t0) % device.step
    return f"{totp.token():0{device.digits}d}", left
