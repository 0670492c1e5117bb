"""Django's SQLite backend with a write lock that wakes waiters at once.

SQLite lets one writer in at a time; the others poll, sleeping up to 100 ms between tries, so
under many concurrent signers a few of them wait for seconds while the database sits idle.
Here every write transaction first takes an exclusive `flock` on a file beside the database:
the kernel queues the waiters and wakes the next one the moment the lock is released, across
threads and processes alike. Transactions still BEGIN IMMEDIATE, so SQLite's own locking stays
the guarantee; the file lock only decides the order without sleeping.

Something outside the platform (a backup, a `sqlite3` shell) can hold SQLite's lock without the
file lock. The transaction at the head of the queue then waits SQLite's busy timeout (the
`timeout` option, UNDERSIGNED_SQLITE_BUSY_SECONDS) and fails; it writes into the lock file that
the database is busy, and the transactions queued behind it fail at once for BUSY_FAIL_SECONDS
instead of each waiting the whole timeout in turn. A request that fails so is answered 503 with
Retry-After (core/middleware.py), and pages that only read never wait: WAL lets them read.
"""

from __future__ import annotations

import fcntl
import os
import struct
import time

from django.db import OperationalError
from django.db.backends.sqlite3 import base

# How long, after one transaction found the database locked by someone else, the others fail
# without waiting (see above).
BUSY_FAIL_SECONDS = 1.0
_STAMP = struct.Struct("<d")

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
            except Exception as error:  # sqlite3's own errors: Django wraps them later
                wrapper.note_if_busy(error)
                raise
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
            stamp = os.pread(self._lock_fd, _STAMP.size, 0)
            if len(stamp) == _STAMP.size and _STAMP.unpack(stamp)[0] > time.time():
                self.release_write_lock()
                raise OperationalError("database is locked (by another program; not waiting)")

    def forget_busy(self) -> None:
        """Let writes wait for the lock again at once (they would within BUSY_FAIL_SECONDS)."""
        if self._lock_fd is not None:
            os.pwrite(self._lock_fd, _STAMP.pack(0.0), 0)

    def note_if_busy(self, error: Exception) -> None:
        """After SQLite's busy timeout, tell the transactions queued behind this one."""
        if self.holds_write_lock and self._lock_fd is not None and "locked" in str(error):
            os.pwrite(self._lock_fd, _STAMP.pack(time.time() + BUSY_FAIL_SECONDS), 0)

    def release_write_lock(self) -> None:
        if self.holds_write_lock and self._lock_fd is not None:
            self.holds_write_lock = False
            fcntl.flock(self._lock_fd, fcntl.LOCK_UN)

    def _start_transaction_under_autocommit(self):
        self.acquire_write_lock()
        try:
            super()._start_transaction_under_autocommit()
        except BaseException as error:
            self.note_if_busy(error)
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
