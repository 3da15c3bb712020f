"""One retry, only where it cannot do anything twice, when the database is unavailable for a moment.

A restart, a fail-over or a dropped connection fails whatever is in flight. Retried once:

- opening a connection (nothing has been sent), after a short wait (`DB_RETRY_DELAY_SECONDS`);
- a read outside a transaction;
- the first statement of a transaction: nothing of the transaction had reached the server, and a lost
  connection rolls back whatever had.

Anything else (a later statement of a transaction, a write outside one, COMMIT itself) fails as before: the
transaction is rolled back whole, and the error page (sharing_app.errors) keeps what the user typed.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from django.conf import settings
from django.db.backends import utils
from django.db.utils import DatabaseError, InterfaceError, OperationalError

logger = logging.getLogger(__name__)

T = TypeVar("T")
READS = ("SELECT", "SHOW", "EXPLAIN")


def retry_delay() -> float:
    return float(getattr(settings, "DB_RETRY_DELAY_SECONDS", 1.0))


def connect_once_more(connect: Callable[[dict[str, Any]], T], conn_params: dict[str, Any], errors: Any) -> T:
    """Open a connection; if the server refuses (restarting, shutting down, not listening yet), wait and try
    once more. Nothing has been sent, so this is always safe."""
    try:
        return connect(conn_params)
    except errors:
        delay = retry_delay()
        logger.warning("Could not connect to the database; trying once more in %.1f s", delay)
        time.sleep(delay)
        return connect(conn_params)


def is_read(sql: Any) -> bool:
    return isinstance(sql, str) and sql.lstrip()[:7].upper().startswith(READS)


class RetryingDatabase:
    """What the cursor needs from the connection wrapper; each backend says whether a transaction began."""

    def transaction_started(self) -> bool:
        """True once any statement of the current transaction has been sent to the server."""
        raise NotImplementedError

    def retry_is_safe(self, sql: Any) -> bool:
        db: Any = self
        if db.in_atomic_block:
            return not self.transaction_started()
        # Outside a transaction only a read is repeated: a write may have been applied before the connection
        # was lost, and nothing tells us whether it was.
        return bool(db.autocommit) and is_read(sql)

    def reopen_for_retry(self) -> Any:
        """A cursor on a working connection, keeping Django's record of the (not yet begun) transaction."""
        db: Any = self
        if not db.is_usable():
            self._replace_connection()
        return db.create_cursor()

    def _replace_connection(self) -> None:
        db: Any = self
        in_atomic_block = db.in_atomic_block
        kept = (db.savepoint_ids, db.atomic_blocks, db.run_on_commit, db.commit_on_exit)
        with contextlib.suppress(DatabaseError):  # it is gone already
            db._close()
        db.connection = None
        # connect() resets the transaction bookkeeping; the atomic block the caller is in still stands.
        try:
            with db.wrap_database_errors:
                db.connect()
        except Exception:
            if in_atomic_block:
                # As Django's close() inside an atomic block: the blocks unwind without touching the database
                # (no reconnecting just to roll back what the server has already dropped).
                db.in_atomic_block = True
                db.savepoint_ids, db.atomic_blocks, _, db.commit_on_exit = kept
                db.closed_in_transaction = True
                db.needs_rollback = True
            raise
        if in_atomic_block:
            db.set_autocommit(False)
            db.in_atomic_block = True
            db.savepoint_ids, db.atomic_blocks, db.run_on_commit, db.commit_on_exit = kept


if TYPE_CHECKING:
    _CursorBase = utils.CursorWrapper
else:
    _CursorBase = object


class RetryOnce(_CursorBase):
    """Mixed into Django's cursor wrappers: a statement that fails because the database went away is sent
    once more on a new connection, when RetryingDatabase.retry_is_safe says it may be."""

    # django-stubs does not declare CursorWrapper._execute and _executemany, which these extend.
    def _execute(self, sql: Any, params: Any, *ignored: Any) -> Any:
        return self._once_more(super()._execute, sql, params, *ignored)  # type: ignore[misc]

    def _executemany(self, sql: Any, param_list: Any, *ignored: Any) -> Any:
        return self._once_more(super()._executemany, sql, param_list, *ignored)  # type: ignore[misc]

    def _once_more(self, run: Callable[..., Any], sql: Any, *args: Any) -> Any:
        db: Any = self.db
        # Decided before sending: afterwards the connection cannot say what it had.
        safe = getattr(self.cursor, "name", None) is None and db.retry_is_safe(sql)
        try:
            return run(sql, *args)
        except (OperationalError, InterfaceError):
            if not safe:
                raise
            logger.warning("A database statement failed; retrying it once on a working connection")
            self.cursor = db.reopen_for_retry()
        return run(sql, *args)


class RetryingCursorWrapper(RetryOnce, utils.CursorWrapper):
    pass


class RetryingCursorDebugWrapper(RetryOnce, utils.CursorDebugWrapper):
    pass
