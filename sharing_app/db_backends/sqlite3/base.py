"""SQLite (development and the quick test suite), with the same retry as PostgreSQL (../retry.py)."""

from __future__ import annotations

from typing import Any

from django.db.backends.sqlite3 import base

from ..retry import RetryingCursorDebugWrapper, RetryingCursorWrapper, RetryingDatabase, connect_once_more


class DatabaseWrapper(RetryingDatabase, base.DatabaseWrapper):
    def get_new_connection(self, conn_params: Any) -> Any:
        return connect_once_more(super().get_new_connection, conn_params, self.Database.OperationalError)

    def transaction_started(self) -> bool:
        return bool(self.connection.in_transaction)

    def make_cursor(self, cursor: Any) -> Any:
        return RetryingCursorWrapper(cursor, self)

    def make_debug_cursor(self, cursor: Any) -> Any:
        return RetryingCursorDebugWrapper(cursor, self)
