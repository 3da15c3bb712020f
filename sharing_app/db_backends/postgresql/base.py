"""PostgreSQL, with one retry where it is safe (sharing_app/db_backends/retry.py)."""

from __future__ import annotations

from typing import Any

from django.db.backends.postgresql import base
from psycopg.pq import TransactionStatus

from ..retry import RetryingCursorWrapper, RetryingDatabase, RetryOnce, connect_once_more


class RetryingCursorDebugWrapper(RetryOnce, base.CursorDebugWrapper):
    pass


class DatabaseWrapper(RetryingDatabase, base.DatabaseWrapper):
    def get_new_connection(self, conn_params: Any) -> Any:
        return connect_once_more(super().get_new_connection, conn_params, self.Database.OperationalError)

    def transaction_started(self) -> bool:
        # psycopg sends BEGIN with the first statement: IDLE means nothing of this transaction was sent.
        return bool(self.connection.info.transaction_status != TransactionStatus.IDLE)

    def make_cursor(self, cursor: Any) -> Any:
        return RetryingCursorWrapper(cursor, self)

    def make_debug_cursor(self, cursor: Any) -> Any:
        return RetryingCursorDebugWrapper(cursor, self)
