"""Every change to accounts, memberships (roles), teams and organisations (their settings included), by any route
(a page, the Django admin, a management command, a shell), is an event in the signed chain naming who made it.

Receivers of the models' own save/delete signals rather than calls in each view, so a new page or command cannot
forget them; the actor is the request being served (audit.context.ActorMiddleware) or the command being run. Only
QuerySet.update() and raw SQL pass by signals: no code here changes these models that way, and the chain check
and checkpoints are the answer to raw SQL.

Details name the fields changed. Values are kept only for what decides who may do what (role, organisation, team,
staff and superuser flags, active) and for organisation settings; a password, a name or an email address is
recorded as changed, never its value.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group
from django.db.models import Model
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.dispatch import receiver

from audit import actions
from audit import context as audit_context
from audit import services as audit

from .models import Membership, Organisation, Team, User

# Per model: the audit actions, the fields whose values are recorded, and the fields not recorded at all.
WATCHED: dict[type[Model], dict[str, Any]] = {
    User: {
        "actions": (actions.USER_CREATE, actions.USER_CHANGE, actions.USER_DELETE),
        "values": {"is_active", "is_staff", "is_superuser", "demo_account"},
        # Sign-ins are their own events.
        "ignored": {"last_login"},
    },
    Membership: {
        "actions": (actions.MEMBERSHIP_CREATE, actions.MEMBERSHIP_CHANGE, actions.MEMBERSHIP_DELETE),
        "values": {"user", "organisation", "team", "role"},
        "ignored": {"created_at", "role_since"},
    },
    Organisation: {
        "actions": (actions.ORGANISATION_CREATE, actions.ORGANISATION_CHANGE, actions.ORGANISATION_DELETE),
        "values": {
            "name",
            "slug",
            "reference_prefix",
            "review_timing",
            "retention_child_age_years",
            "retention_no_birth_date_years",
            "guidance_edition",
        },
        "ignored": {"created_at"},
    },  # fmt: skip
    Team: {
        "actions": (actions.TEAM_CREATE, actions.TEAM_CHANGE, actions.TEAM_DELETE),
        "values": {"organisation", "name"},
        "ignored": set(),
    },
}
BEFORE = "_audit_before"


def _columns(sender: type[Model], update_fields: Any) -> dict[str, str]:
    """field name -> attribute (the column: `role`, `team_id`) of the fields that are audited."""
    ignored = WATCHED[sender]["ignored"]
    fields = {f.name: f.attname for f in sender._meta.concrete_fields if not f.primary_key and f.name not in ignored}
    if update_fields is not None:
        fields = {name: attr for name, attr in fields.items() if name in update_fields or attr in update_fields}
    return fields


def _organisation_of(instance: Model) -> int | None:
    if isinstance(instance, Organisation):
        return instance.pk
    if isinstance(instance, Membership | Team):
        return instance.organisation_id
    if isinstance(instance, User):
        return Membership.objects.filter(user_id=instance.pk).values_list("organisation_id", flat=True).first()
    return None  # a group: the global chain


def _record(action: str, instance: Model, details: dict[str, Any]) -> None:
    acting = audit_context.current()
    audit.record(
        action=action,
        actor=acting.actor,
        actor_label="" if acting.actor is not None else acting.label,
        organisation=_organisation_of(instance),
        target=instance,
        details=details,
        request=acting.request,
    )


def _value(value: Any) -> Any:
    return value if value is None or isinstance(value, bool | int | str) else str(value)


@receiver(pre_save)
def _remember_before(sender: Any, instance: Model, raw: bool = False, update_fields: Any = None, **kwargs: Any) -> None:
    if sender not in WATCHED or raw or instance.pk is None:
        return
    columns = _columns(sender, update_fields)
    if not columns:
        return
    row = sender._default_manager.filter(pk=instance.pk).values(*columns.values()).first()
    setattr(instance, BEFORE, row)


@receiver(post_save)
def _audit_save(
    sender: Any, instance: Model, created: bool, raw: bool = False, update_fields: Any = None, **kwargs: Any
) -> None:
    if sender not in WATCHED or raw:
        return
    create, change, _ = WATCHED[sender]["actions"]
    values = WATCHED[sender]["values"]
    columns = _columns(sender, update_fields)
    before = instance.__dict__.pop(BEFORE, None)
    if created or before is None:
        set_fields = {
            name: _value(getattr(instance, attr))
            for name, attr in columns.items()
            if name in values and getattr(instance, attr) not in (None, "")
        }
        _record(create, instance, {"values": set_fields} if set_fields else {})
        return
    changed = sorted(name for name, attr in columns.items() if before.get(attr) != getattr(instance, attr))
    if not changed:
        return
    details: dict[str, Any] = {"changed": changed}
    shown = {
        name: {"from": _value(before.get(columns[name])), "to": _value(getattr(instance, columns[name]))}
        for name in changed
        if name in values
    }
    if shown:
        details["values"] = shown
    _record(change, instance, details)


@receiver(post_delete)
def _audit_delete(sender: Any, instance: Model, **kwargs: Any) -> None:
    if sender not in WATCHED:
        return
    _record(WATCHED[sender]["actions"][2], instance, {})


@receiver(m2m_changed, sender=User.groups.through)
@receiver(m2m_changed, sender=User.user_permissions.through)
@receiver(m2m_changed, sender=Group.permissions.through)
def _audit_permissions(
    sender: Any, instance: Model, action: str, reverse: bool, pk_set: set[int] | None, **kwargs: Any
) -> None:
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if action != "post_clear" and not pk_set:
        return
    relation = {
        User.groups.through: "groups",
        User.user_permissions.through: "permissions",
        Group.permissions.through: "group_permissions",
    }[sender]
    details = {
        "relation": relation,
        "change": action.removeprefix("post_"),
        "ids": sorted(pk_set or ()),
        "from_side": type(instance)._meta.label_lower,
    }
    _record(actions.USER_PERMISSIONS_CHANGE, instance, details)
