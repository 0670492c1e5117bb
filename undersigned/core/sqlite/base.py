"""Django's SQLite backend with a write lock that wakes waiters at once.

SQLite lets one writer in at a time; the others poll, sleeping up to 100 ms between tries, so
under many concurrent signers a few of them wait for seconds while the database sits idle.
Here every write transaction first takes an exclusive `flock` on a file beside the database:
the kernel queues the waiters and wakes the next one the moment the lock is released, across
threads and processes alike. Transactions still BEGIN IMMEDIATE, so SQLite's own locking stays
the guarantee; the file lock only decides the order without sleeping.
"""

from __future__ import annotations

import fcntl
import os

from django.db.backends.sqlite3 import base

WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE", "WITH")


class LockingCursor(base.SQLiteCursorWrapper):
    """Takes the write lock around a write statement run outside a transaction."""

    wrapper: DatabaseWrapper

    def execute(self, query, params=None):
        wrapper = self.wrapper
        if wrapper.holds_write_lock or self.connection.in_transaction:
            return super().execute(query, params)
        if query.lstrip()[:7].upper().startswith(WRITES):
            wrapper.acquire_write_lock()
            try:
                return super().execute(query, params)
            finally:
                wrapper.release_write_lock()
        return super().execute(query, params)


class DatabaseWrapper(base.DatabaseWrapper):
    holds_write_lock = False
    _lock_fd: int | None = None

    def get_new_connection(self, conn_params):
        connection = super().get_new_connection(conn_params)
        name = str(self.settings_dict["NAME"])
        if ":memory:" not in name and "mode=memory" not in name:
            # One open file per connection: flock then also orders threads of one process.
            self._lock_fd = os.open(f"{name}.writelock", os.O_RDWR | os.O_CREAT, 0o600)
        return connection

    def create_cursor(self, name=None):
        cursor = self.connection.cursor(factory=LockingCursor)
        cursor.wrapper = self
        return cursor

    def acquire_write_lock(self) -> None:
        if self._lock_fd is not None and not self.holds_write_lock:
            fcntl.flock(self._lock_fd, fcntl.LOCK_EX)
            self.holds_write_lock = True

    def release_write_lock(self) -> None:
        if self.holds_write_lock:
            self.holds_write_lock = False
            fcntl.flock(self._lock_fd, fcntl.LOCK_UN)

    def _start_transaction_under_autocommit(self):
        self.acquire_write_lock()
        try:
            super()._start_transaction_under_autocommit()
        except BaseException:
            self.release_write_lock()
            raise

    def _commit(self):
        try:
            return super()._commit()
        finally:
            self.release_write_lock()

    def _rollback(self):
        try:
            return super()._rollback()
        finally:
            self.release_write_lock()

    def _close(self):
        try:
            return super()._close()
        finally:
            self.release_write_lock()
            if self._lock_fd is not None:
                os.close(self._lock_fd)
                self._lock_fd = None
