"""Proof of work: a self-hosted brake on mass signing.

Where a statement asks for it, its signing form carries a challenge, signed by the server and
bound to the statement. The signer's browser (static/undersigned/pow.js) looks for a number n
such that SHA-256("<challenge>:<n>") starts with `settings.POW_DIFFICULTY` zero bits, and sends
n with the form. Checking costs one hash; finding costs about 2**difficulty. A submission with
no valid solution, or one reusing a challenge already spent, is stored but flagged like any
other abuse sign (see abuse.py): nothing is refused, nothing is announced.

A statement asks for it always, never, or automatically: the surge watch, a periodic worker
job, turns it on while a statement receives more than `settings.POW_AUTO_PER_MINUTE`
submissions a minute and off once the rate has fallen back to half of that for a while.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.db import connection, transaction
from django.db.models import Count, Max
from django.utils import timezone

from undersigned.core.audit import log_action
from undersigned.core.numbers import ascii_int
from undersigned.core.recent import forget_on_commit
from undersigned.signatures.models import SpentChallenge, SurgeWatch
from undersigned.statements.models import Statement

SALT = "undersigned.proof-of-work"
# Stands for the challenge in a stored copy of the form page (see core/pagecache.py).
CHALLENGE_SLOT = "challenge-slot-93d1f6"
# The automatic brake stays on at least this long once a surge set it.
SURGE_HOLD = timedelta(minutes=30)


def challenge_issue(statement_id: int) -> str:
    """A fresh challenge for one visitor of one statement's form."""
    payload = {"s": statement_id, "n": secrets.token_hex(16), "d": settings.POW_DIFFICULTY}
    return signing.dumps(payload, salt=SALT, compress=False)


def leading_zero_bits(digest: bytes) -> int:
    value = int.from_bytes(digest, "big")
    return len(digest) * 8 - value.bit_length()


def solution_check(*, challenge: str, solution: str, statement_id: int) -> str | None:
    """The challenge's nonce if `solution` solves a challenge this server issued for this
    statement less than POW_CHALLENGE_MINUTES ago; None otherwise. Spending it is apart
    (`challenges_spend`), in the transaction that stores the submission."""
    if not challenge or ascii_int(solution, max_digits=12) is None:
        return None
    try:
        payload = signing.loads(
            challenge, salt=SALT, max_age=timedelta(minutes=settings.POW_CHALLENGE_MINUTES)
        )
    except signing.BadSignature:
        return None
    if not isinstance(payload, dict) or payload.get("s") != statement_id:
        return None
    difficulty = payload.get("d")
    if not isinstance(difficulty, int) or difficulty < settings.POW_DIFFICULTY:
        return None
    digest = hashlib.sha256(f"{challenge}:{solution}".encode()).digest()
    if leading_zero_bits(digest) < difficulty:
        return None
    return str(payload["n"])


def challenges_spend(nonces: list[str]) -> set[str]:
    """Record these challenges as used, in one INSERT that skips those already on record; the
    ones this call spent. Two submissions racing with one challenge, in one batch or in two
    workers' batches, get it once between them (the caller gives it to the first of a batch)."""
    unique = list(dict.fromkeys(nonce for nonce in nonces if nonce))
    if not unique:
        return set()
    expires = connection.ops.adapt_datetimefield_value(
        timezone.now() + timedelta(minutes=settings.POW_CHALLENGE_MINUTES)
    )
    rows = ", ".join(["(%s, %s)"] * len(unique))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {SpentChallenge._meta.db_table} (nonce, expires) VALUES {rows} "  # noqa: S608
            "ON CONFLICT DO NOTHING RETURNING nonce",
            [value for nonce in unique for value in (nonce, expires)],
        )
        return {nonce for (nonce,) in cursor.fetchall()}


@transaction.atomic
def surge_watch_run(*, now: datetime | None = None) -> dict[str, int]:
    """Count each statement's submissions since the last run (a range of new signature ids,
    never a scan of the table), switch the automatic proof of work on or off accordingly, and
    forget spent challenges that have expired. Returns the per-minute rates it saw."""
    from undersigned.signatures.models import Signature

    now = now or timezone.now()
    SpentChallenge.objects.filter(expires__lt=now).delete()
    watch = SurgeWatch.objects.select_for_update().first()
    if watch is None:
        latest = Signature.objects.aggregate(top=Max("id"))["top"] or 0
        SurgeWatch.objects.create(last_signature_id=latest, checked_at=now)
        return {}
    minutes = max((now - watch.checked_at).total_seconds() / 60, 1.0)
    counts = {
        row["statement_id"]: (row["n"], row["top"])
        for row in Signature.objects.filter(id__gt=watch.last_signature_id)
        .values("statement_id")
        .annotate(n=Count("id"), top=Max("id"))
        .order_by()
    }
    rates = {pk: round(n / minutes) for pk, (n, _) in counts.items()}
    watch.last_signature_id = max([watch.last_signature_id, *(top for _, top in counts.values())])
    watch.checked_at = now
    watch.save()

    threshold = settings.POW_AUTO_PER_MINUTE
    if not threshold:
        return rates
    automatic = Statement.objects.filter(proof_of_work=Statement.ProofOfWork.AUTOMATIC)
    for statement in automatic.filter(pk__in=[pk for pk, r in rates.items() if r > threshold]):
        if statement.pow_surge_since is None:
            _set_surge(statement, now, rates[statement.pk])
    for statement in automatic.filter(pow_surge_since__lte=now - SURGE_HOLD):
        if rates.get(statement.pk, 0) <= threshold / 2:
            _set_surge(statement, None, rates.get(statement.pk, 0))
    return rates


def _set_surge(statement: Statement, since: datetime | None, rate: int) -> None:
    statement.pow_surge_since = since
    # `updated` moves, so cached pages and loaded statements of the old state are not used.
    statement.save(update_fields=["pow_surge_since", "updated"])
    forget_on_commit()
    log_action(
        statement,
        f"statements.statement.proof_of_work_{'on' if since else 'off'}",
        actor_label="surge watch",
        data={"per_minute": rate, "threshold": settings.POW_AUTO_PER_MINUTE},
    )
