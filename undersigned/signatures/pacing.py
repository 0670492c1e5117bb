"""When the worker records waiting submissions: at once, except during a surge.

While submissions arrive faster than `SURGE_PER_SECOND` a second, the worker records one only
once it has waited `SURGE_HOLD_SECONDS`. At a surge's start the app servers then have the
machine to themselves for answering signers, and a short surge is over before the worker takes
any of it; a long one is recorded as it goes on, each submission about the hold after it came,
the oldest first. So nothing waits much longer than the hold, and when a surge ends about a
hold's worth is left to record and mail (bench/RESULTS.md, `sustained`). Nothing that waits is
at risk: each submission is a committed row; only its confirmation email comes later.
"""

from __future__ import annotations

import time
from datetime import UTC

from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from undersigned.signatures.models import Submission

# The last id given to a submission (whether or not it still waits: ids are never reused, and
# the table is empty whenever the worker has caught up), and when the oldest waiting was sent.
_TABLE = Submission._meta.db_table
_LAST_ID_SQL = {
    "postgresql": f"SELECT pg_sequence_last_value(pg_get_serial_sequence('{_TABLE}', 'id'))",
    # Django declares SQLite's automatic keys AUTOINCREMENT, which keeps the counter here.
    "sqlite": f"SELECT (SELECT seq FROM sqlite_sequence WHERE name = '{_TABLE}')",  # noqa: S608
}
_OLDEST_SQL = f"SELECT created FROM {_TABLE} WHERE failed = '' ORDER BY id LIMIT 1"  # noqa: S608


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

    def hold(self) -> bool:
        """Whether to let the waiting submissions wait this turn."""
        if settings.SURGE_HOLD_SECONDS <= 0:
            return False
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT ({_LAST_ID_SQL[connection.vendor]}), ({_OLDEST_SQL})")
            newest_id, oldest = cursor.fetchone()
        now = time.monotonic()
        newest_id = newest_id or 0
        if self.newest_id is None:
            self.newest_id, self.seen_at = newest_id, now
        elif now - self.seen_at >= RATE_WINDOW_SECONDS:
            self.rate = (newest_id - self.newest_id) / (now - self.seen_at)
            self.newest_id, self.seen_at = newest_id, now
        if self.rate <= settings.SURGE_PER_SECOND or oldest is None:
            return False
        if isinstance(oldest, str):  # SQLite's raw column
            oldest = parse_datetime(oldest)
        if timezone.is_naive(oldest):
            oldest = timezone.make_aware(oldest, UTC)
        waited = (timezone.now() - oldest).total_seconds()
        return waited < settings.SURGE_HOLD_SECONDS
