"""Sessions in the database, as Django's, with two differences.

The database holds a hash of each session key, never the key: the cookie's key is hashed (SHA-256, cut to the
column's 40 characters) at every lookup, so someone who reads the table (a copy of the database, a backup)
cannot sign in as anyone by sending a key from it. It costs one hash per request, about a microsecond. Sessions
made before this change are not found, so everyone signs in once more.

A request which changed nothing in its session is not turned into an error page because renewing the session's
expiry failed (accounts/sessions.py renews a session in use once a minute) while the database was unavailable:
the old expiry stands, and the page the request made (the redirect after a saved answer, say) reaches the user."""

from __future__ import annotations

import hashlib
import logging
from typing import Any

from django.contrib.sessions.backends.base import UpdateError
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.core.exceptions import SuspiciousOperation
from django.utils import timezone

from .errors import database_unavailable

logger = logging.getLogger(__name__)


def stored_key(session_key: str) -> str:
    """What the database keeps for a session key."""
    return hashlib.sha256(session_key.encode()).hexdigest()[:40]


class SessionStore(DatabaseSessionStore):
    def _get_session_from_db(self) -> Any:
        if not self.session_key:
            return None
        try:
            return self.model.objects.get(session_key=stored_key(self.session_key), expire_date__gt=timezone.now())
        except (self.model.DoesNotExist, SuspiciousOperation) as exc:
            if isinstance(exc, SuspiciousOperation):
                logging.getLogger(f"django.security.{exc.__class__.__name__}").warning(str(exc))
            self._session_key = None
            return None

    def exists(self, session_key: str) -> bool:
        return bool(self.model.objects.filter(session_key=stored_key(session_key)).exists())

    def create_model_instance(self, data: dict[str, Any]) -> Any:
        instance = super().create_model_instance(data)
        instance.session_key = stored_key(instance.session_key)
        return instance

    def delete(self, session_key: str | None = None) -> None:
        if session_key is None:
            if self.session_key is None:
                return
            session_key = self.session_key
        self.model.objects.filter(session_key=stored_key(session_key)).delete()

    def save(self, must_create: bool = False) -> None:
        try:
            super().save(must_create=must_create)
        except UpdateError as exc:
            changed = self.modified and not getattr(self, "renewal_only", False)
            if changed or not database_unavailable(exc):
                raise
            logger.warning("The session's expiry was not renewed: the database was unavailable")
