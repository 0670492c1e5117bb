"""Classify a submission: which abuse signs it shows. Nothing here refuses or tells anyone;
the caller stores the submission with its flags and shows the same page as always."""

from __future__ import annotations

import ipaddress
from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.utils import timezone

from undersigned.moderation.models import BlockRule

HONEYPOT = "honeypot"
TOO_FAST = "too_fast"
NO_TIMESTAMP = "no_timestamp"
OVER_NETWORK_LIMIT = "rate_network"
OVER_EMAIL_LIMIT = "rate_email"
OVER_DOMAIN_LIMIT = "rate_domain"
BLOCKED = "blocked"
NO_PROOF_OF_WORK = "no_pow"  # missing, wrong, expired, or a challenge used before


_COLUMNS = {"network_hash", "email_normalized", "email_domain"}


def _recent(column: str, value: str) -> int:
    """Submissions in the last hour with this column value, counted up to the largest limit.
    Plain SQL on an index of (column, created): this runs on every signature."""
    assert column in _COLUMNS
    since = connection.ops.adapt_datetimefield_value(timezone.now() - timedelta(hours=1))
    cap = max(settings.LIMIT_PER_NETWORK, settings.LIMIT_PER_EMAIL, settings.LIMIT_PER_DOMAIN)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT COUNT(*) FROM (SELECT 1 FROM signatures_signature "  # noqa: S608
            f"WHERE {column} = %s AND created >= %s LIMIT %s) AS recent",
            [value, since, cap + 1],
        )
        return cursor.fetchone()[0]


_RULES_SQL = (
    "SELECT kind, value FROM moderation_blockrule WHERE (kind = 'email' AND value = %s) "
    "OR (kind = 'domain' AND value = %s) OR kind = 'network'"
)


def blocked(*, email_normalized: str, email_domain: str, ip: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(_RULES_SQL, [email_normalized, email_domain])
        rules = cursor.fetchall()
    try:
        address = ipaddress.ip_address(ip) if ip else None
    except ValueError:
        address = None
    for kind, value in rules:
        if kind != BlockRule.Kind.NETWORK:
            return True
        if address is not None:
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


def sender_flags(*, email_normalized: str, email_domain: str, ip: str) -> list[str]:
    """Signs in who sends: blocklists, and the per-mailbox and per-domain limits."""
    flags = []
    if blocked(email_normalized=email_normalized, email_domain=email_domain, ip=ip):
        flags.append(BLOCKED)
    if _recent("email_normalized", email_normalized) >= settings.LIMIT_PER_EMAIL:
        flags.append(OVER_EMAIL_LIMIT)
    if email_domain and _recent("email_domain", email_domain) >= settings.LIMIT_PER_DOMAIN:
        flags.append(OVER_DOMAIN_LIMIT)
    return flags


def network_over_limit(network_hash: str, *, exact: bool) -> bool:
    """Whether the network has reached its hourly limit.

    A first look (`exact=False`, outside any transaction) settles every request of a network
    already over its limit: counts in the window only grow. Only below the limit does the
    signing transaction look again with `exact=True`, which first serializes the submissions of
    that one network (an advisory lock on PostgreSQL; SQLite's write lock is held already), so
    a hundred simultaneous ones cannot all count the same nine before them."""
    if not network_hash:
        return False
    if exact and connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [network_hash])
    return _recent("network_hash", network_hash) >= settings.LIMIT_PER_NETWORK
