"""When the worker records waiting submissions: at once, except at the start of a surge.

When submissions start arriving faster than `SURGE_PER_SECOND` a second, the worker lets them
wait for `SURGE_HOLD_SECONDS`, counted from the first turn that saw the surge. The app servers
then have the machine to themselves for answering signers, and a short surge is over before
the worker takes any of it. Nothing that waits is at risk: each submission is a committed row;
only its confirmation email comes later. A surge that lasts longer than the hold is then
recorded as it comes, until it ebbs: the work is the same either way, and holding again and
again only let it pile up, so that up to twenty seconds of a long surge waited, and were
still to be recorded and mailed once it ended (bench/RESULTS.md, `sustained`).
"""

from __future__ import annotations

import time

from django.conf import settings
from django.db import connection

from undersigned.signatures.models import Submission

# The last id given to a submission (whether or not it still waits: ids are never reused, and
# the table is empty whenever the worker has caught up), and the oldest one still waiting.
_TABLE = Submission._meta.db_table
_LAST_ID_SQL = {
    "postgresql": f"SELECT pg_sequence_last_value(pg_get_serial_sequence('{_TABLE}', 'id'))",
    # Django declares SQLite's automatic keys AUTOINCREMENT, which keeps the counter here.
    "sqlite": f"SELECT (SELECT seq FROM sqlite_sequence WHERE name = '{_TABLE}')",  # noqa: S608
}
_OLDEST_SQL = f"SELECT id FROM {_TABLE} WHERE failed = '' ORDER BY id LIMIT 1"  # noqa: S608


# The arrival rate is measured over at least this long, so that two quick turns of the
# worker never read a surge as over.
RATE_WINDOW_SECONDS = 1.0


class Pacer:
    """One worker's view of the arrival rate: how fast the last id given grows, measured over
    a second at least."""

    def __init__(self) -> None:
        self.newest_id: int | None = None
        self.seen_at = 0.0
        self.rate = 0.0
        self.holding_since: float | None = None
        # This surge was held once: it is recorded as it comes until it ebbs.
        self.held = False

    def hold(self) -> bool:
        """Whether to let the waiting submissions wait this turn."""
        if settings.SURGE_HOLD_SECONDS <= 0:
            return False
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT ({_LAST_ID_SQL[connection.vendor]}), ({_OLDEST_SQL})")
            newest_id, oldest_id = cursor.fetchone()
        now = time.monotonic()
        newest_id = newest_id or 0
        if self.newest_id is None:
            self.newest_id, self.seen_at = newest_id, now
        elif now - self.seen_at >= RATE_WINDOW_SECONDS:
            self.rate = (newest_id - self.newest_id) / (now - self.seen_at)
            self.newest_id, self.seen_at = newest_id, now
        if self.rate <= settings.SURGE_PER_SECOND:
            self.holding_since, self.held = None, False
            return False
        if oldest_id is None or self.held:
            return False
        # The first turn that sees the surge starts the clock: the oldest submission was sent
        # at most one turn before.
        if self.holding_since is None:
            self.holding_since = now
        if now - self.holding_since >= settings.SURGE_HOLD_SECONDS:
            self.holding_since, self.held = None, True
            return False
        return True
