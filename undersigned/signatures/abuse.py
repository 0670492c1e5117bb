"""Classify a submission: which abuse signs it shows. Nothing here refuses or tells anyone;
the caller stores the submission with its flags and shows the same page as always."""

from __future__ import annotations

import ipaddress
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from undersigned.core.recent import recent
from undersigned.signatures.models import BlockRule, Signature
from undersigned.signatures.trust import FREE_MAIL_DOMAINS

HONEYPOT = "honeypot"
TOO_FAST = "too_fast"
NO_TIMESTAMP = "no_timestamp"
OVER_NETWORK_LIMIT = "rate_network"
OVER_EMAIL_LIMIT = "rate_email"
OVER_DOMAIN_LIMIT = "rate_domain"
BLOCKED = "blocked"
NO_PROOF_OF_WORK = "no_pow"  # missing, wrong, expired, or a challenge used before


_COLUMNS = {"network_hash", "email_normalized", "email_domain"}
_WINDOW = timedelta(hours=1)

# Senders found at their hourly limit, with the moment they fall below it at the earliest:
# {(column, value): until}. A count in the window can only fall as its oldest rows leave it, so
# a flood from one network or domain is settled here without reading its rows again (each look
# reads up to `limit` index entries). Per process; a process that has not seen the flood yet
# looks once itself. Rows deleted within the hour keep a sender flagged until `until`, which
# holds its signatures for review, never refuses them.
_at_limit: dict[tuple[str, str], datetime] = {}
# The key under which a network past its email cap (EMAILS_PER_NETWORK) is remembered.
_EMAIL_CAP = "network_hash:emails"
_MAX_KEPT = 10_000


def forget_limits() -> None:
    """Forget every sender found at its limit in this process (each test starts afresh)."""
    _at_limit.clear()


def _known_at_limit(column: str, value: str, now: datetime) -> bool:
    until = _at_limit.get((column, value))
    return until is not None and now < until


def _remember(column: str, value: str, limit_reached_at: datetime | None) -> bool:
    """Note the sender as at its limit when the `limit`-th most recent of its rows in the
    window exists (created at `limit_reached_at`); whether it does."""
    if limit_reached_at is None:
        return False
    if len(_at_limit) >= _MAX_KEPT:
        _at_limit.clear()
    _at_limit[(column, value)] = limit_reached_at + _WINDOW
    return True


def _limit_th(column: str, value: str, now: datetime, limit: int) -> tuple[str, list]:
    """SQL and parameters for when the `limit`-th most recent row of this sender in the window
    was created (NULL if it has fewer): a backward walk of the (column, created) index that
    stops at the limit."""
    assert column in _COLUMNS
    sql = (
        f"(SELECT created FROM {Signature._meta.db_table} WHERE {column} = %s AND created >= %s "  # noqa: S608
        "ORDER BY created DESC LIMIT 1 OFFSET %s)"
    )
    return sql, [value, connection.ops.adapt_datetimefield_value(now - _WINDOW), limit - 1]


def _created(value) -> datetime | None:
    """A timestamp as a raw cursor returns it (SQLite: naive, or text, in UTC)."""
    if value is None:
        return None
    parsed = value if isinstance(value, datetime) else parse_datetime(value)
    if parsed is None:  # not a timestamp: the database never gives one
        return None
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed, UTC)


def _network_rules() -> list[str]:
    return list(
        BlockRule.objects.filter(kind=BlockRule.Kind.NETWORK).values_list("value", flat=True)
    )


def network_blocked(ip: str) -> bool:
    """Whether the address is in a blocked range. Asked while answering the signing request,
    the one moment the raw address is known (only its keyed hashes are stored); the rules are
    kept in this process for the state cache time (core/recent.py)."""
    rules = recent(("block", "network"), _network_rules)
    if not rules or not ip:
        return False
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return False
    for value in rules:
        try:
            if address in ipaddress.ip_network(value, strict=False):
                return True
        except ValueError:
            continue
    return False


def form_flags(*, honeypot: str, elapsed: float | None) -> list[str]:
    """Signs in the form itself: the hidden field filled, or sent too soon after display."""
    flags = []
    if honeypot:
        flags.append(HONEYPOT)
    if elapsed is None:
        flags.append(NO_TIMESTAMP)
    elif elapsed < settings.SIGN_MIN_SECONDS:
        flags.append(TOO_FAST)
    return flags


# Everything recording a signature asks before its INSERT, in one statement: each table read
# was a round trip of its own, and under a surge those were most of the database's work.
_RULES_SQL = (
    f"(SELECT COUNT(*) FROM {BlockRule._meta.db_table}"  # noqa: S608 (no value in the text)
    " WHERE (kind = 'email' AND value = %s) OR (kind = 'domain' AND value = %s))"
)


def _limits(email_normalized: str, email_domain: str, network_hash: str) -> list:
    """(column, value, limit) of each hourly limit that applies to this sender. A free-mail
    domain has none: a surge brings thousands of unrelated people from each of them."""
    limits = [("email_normalized", email_normalized, settings.LIMIT_PER_EMAIL)]
    if email_domain and email_domain not in FREE_MAIL_DOMAINS:
        limits.append(("email_domain", email_domain, settings.LIMIT_PER_DOMAIN))
    if network_hash:
        limits.append(("network_hash", network_hash, settings.LIMIT_PER_NETWORK))
    return limits


def sender_signs(
    *, email_normalized: str, email_domain: str, network_hash: str
) -> tuple[list[str], bool, datetime | None]:
    """Signs in who sends: the email and domain blocklists and the per-mailbox and per-domain
    limits, as flags; whether the network has reached its hourly limit; and, when the network
    has had more than EMAILS_PER_NETWORK signatures within the hour, when that hour has passed
    (a flagged signature's email waits until then). Exact when the caller's transaction
    serializes the sender's network (services._lock_networks): the count then sees every
    signature recorded before. Blocked networks are found earlier (`network_blocked`)."""
    now = timezone.now()
    over = set()
    parts, params, asked = [], [], []
    # The email cap is remembered like a limit: a network past it costs no look-up either.
    ask_cap = bool(network_hash and settings.EMAILS_PER_NETWORK)
    email_after = _at_limit.get((_EMAIL_CAP, network_hash)) if ask_cap else None
    if email_after is not None and now < email_after:
        ask_cap = False
    else:
        email_after = None
    if ask_cap:
        sql, values = _limit_th("network_hash", network_hash, now, settings.EMAILS_PER_NETWORK)
        parts.append(sql)
        params += values
    for column, value, limit in _limits(email_normalized, email_domain, network_hash):
        if _known_at_limit(column, value, now):
            over.add(column)
            continue
        sql, values = _limit_th(column, value, now, limit)
        parts.append(sql)
        params += values
        asked.append((column, value))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {', '.join([*parts, _RULES_SQL])}",  # noqa: S608 (no value in the text)
            [*params, email_normalized, email_domain],
        )
        *reached, rules = cursor.fetchone()
    if ask_cap:
        capped_at = _created(reached.pop(0))
        if _remember(_EMAIL_CAP, network_hash, capped_at):
            email_after = _at_limit[(_EMAIL_CAP, network_hash)]
    for (column, value), at in zip(asked, reached, strict=True):
        if _remember(column, value, _created(at)):
            over.add(column)
    flags = []
    if rules:
        flags.append(BLOCKED)
    if "email_normalized" in over:
        flags.append(OVER_EMAIL_LIMIT)
    if "email_domain" in over:
        flags.append(OVER_DOMAIN_LIMIT)
    return flags, "network_hash" in over, email_after
