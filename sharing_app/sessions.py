"""Sessions in the database, as Django's, except that a request which changed nothing in its session is not
turned into an error page because renewing the session's expiry failed (accounts/sessions.py renews a session
in use once a minute) while the database was unavailable: the old expiry stands, and the page the request made
(the redirect after a saved answer, say) reaches the user."""

from __future__ import annotations

import logging

from django.contrib.sessions.backends.base import UpdateError
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore

from .errors import database_unavailable

logger = logging.getLogger(__name__)


class SessionStore(DatabaseSessionStore):
    def save(self, must_create: bool = False) -> None:
        try:
            super().save(must_create=must_create)
        except UpdateError as exc:
            changed = self.modified and not getattr(self, "renewal_only", False)
            if changed or not database_unavailable(exc):
                raise
            logger.warning("The session's expiry was not renewed: the database was unavailable")
