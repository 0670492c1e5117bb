"""When the worker records waiting submissions: at once, except during a surge.

While submissions arrive faster than `SURGE_PER_SECOND` a second, the worker lets them wait,
counting `SURGE_HOLD_SECONDS` from the first turn that saw the surge. The app servers then have
the machine to themselves for answering signers, and the worker records what waited afterwards,
in large batches that cost less per signature than small ones. Nothing that waits is at risk:
each submission is a committed row; only its confirmation email comes later. A surge that
lasts longer than the hold is recorded while it goes on, one hold's worth at a time, so no
submission waits much longer than the hold plus the time to record one hold's worth
(bench/RESULTS.md, `sustained.longest_wait_s`). The hold is 10 s by default: since the worker
records a batch in a fixed handful of statements, a hold's worth is recorded and mailed in a
few seconds, and a longer hold only leaves more to do once the surge ends.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.db import connection

from undersigned.signatures.models import Submission

# The newest submission, and the oldest still waiting: two primary-key look-ups.
_TABLE = Submission._meta.db_table
_WAITING_SQL = (
    f"SELECT (SELECT MAX(id) FROM {_TABLE}),"  # noqa: S608 (no value in the text)
    f" (SELECT id FROM {_TABLE} WHERE failed = '' ORDER BY id LIMIT 1)"
)


class Pacer:
    """One worker's view of the arrival rate, from the growth of the newest id between turns."""

    def __init__(self) -> None:
        self.newest_id: int | None = None
        self.seen_at = 0.0
        self.rate = 0.0
        self.holding_since: float | None = None
        # Once a hold ends, everything up to this id is recorded before the next hold begins.
        self.release_to: int | None = None

    def hold(self) -> bool:
        """Whether to let the waiting submissions wait this turn."""
        if settings.SURGE_HOLD_SECONDS <= 0:
            return False
        with connection.cursor() as cursor:
            cursor.execute(_WAITING_SQL)
            newest_id, oldest_id = cursor.fetchone()
        now = time.monotonic()
        if now > self.seen_at or self.newest_id is None:
            if newest_id is not None and self.newest_id is not None:
                self.rate = (newest_id - self.newest_id) / (now - self.seen_at)
            self.newest_id, self.seen_at = newest_id, now
        if oldest_id is None:
            self.holding_since = self.release_to = None
            return False
        if self.release_to is not None and oldest_id <= self.release_to:
            return False
        self.release_to = None
        if self.rate <= settings.SURGE_PER_SECOND:
            self.holding_since = None
            return False
        # The first turn that sees the surge starts the clock: the oldest submission was sent
        # at most one turn before.
        if self.holding_since is None:
            self.holding_since = now
        if now - self.holding_since >= settings.SURGE_HOLD_SECONDS:
            self.holding_since, self.release_to = None, newest_id
            return False
        return True
