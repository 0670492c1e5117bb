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


def _network_blocked(ip: str) -> bool:
    """Whether the address is in a blocked range (only asked when such rules exist)."""
    try:
        address = ipaddress.ip_address(ip) if ip else None
    except ValueError:
        return False
    if address is None:
        return False
    for value in BlockRule.objects.filter(kind=BlockRule.Kind.NETWORK).values_list(
        "value", flat=True
    ):
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


# Everything the signing path asks before its transaction, in one statement: each table read
# was a round trip of its own, and under a surge those were most of the database's work.
_SIGNS_SQL = """
SELECT
  (SELECT COUNT(*) FROM (SELECT 1 FROM signatures_signature
    WHERE email_normalized = %s AND created >= %s LIMIT %s) AS by_email),
  (SELECT COUNT(*) FROM (SELECT 1 FROM signatures_signature
    WHERE email_domain = %s AND created >= %s LIMIT %s) AS by_domain),
  (SELECT COUNT(*) FROM (SELECT 1 FROM signatures_signature
    WHERE network_hash = %s AND created >= %s LIMIT %s) AS by_network),
  (SELECT COUNT(*) FROM moderation_blockrule
    WHERE (kind = 'email' AND value = %s) OR (kind = 'domain' AND value = %s)),
  (SELECT COUNT(*) FROM moderation_blockrule WHERE kind = 'network')
"""


def sender_signs(
    *, email_normalized: str, email_domain: str, network_hash: str, ip: str
) -> tuple[list[str], bool]:
    """Signs in who sends: blocklists and the per-mailbox and per-domain limits, as flags; and
    whether the network had reached its limit already (see `network_over_limit`)."""
    since = connection.ops.adapt_datetimefield_value(timezone.now() - timedelta(hours=1))
    cap = max(settings.LIMIT_PER_NETWORK, settings.LIMIT_PER_EMAIL, settings.LIMIT_PER_DOMAIN)
    with connection.cursor() as cursor:
        cursor.execute(
            _SIGNS_SQL,
            [
                *(email_normalized, since, cap + 1),
                *(email_domain, since, cap + 1),
                *(network_hash, since, cap + 1),
                email_normalized,
                email_domain,
            ],
        )
        by_email, by_domain, by_network, rules, network_rules = cursor.fetchone()
    flags = []
    if rules or (network_rules and _network_blocked(ip)):
        flags.append(BLOCKED)
    if by_email >= settings.LIMIT_PER_EMAIL:
        flags.append(OVER_EMAIL_LIMIT)
    if email_domain and by_domain >= settings.LIMIT_PER_DOMAIN:
        flags.append(OVER_DOMAIN_LIMIT)
    return flags, bool(network_hash) and by_network >= settings.LIMIT_PER_NETWORK


def network_over_limit(network_hash: str, *, exact: bool) -> bool:
    """Whether the network has reached its hourly limit.

    A first look (in `sender_signs`, outside any transaction) settles every request of a
    network already over its limit: counts in the window only grow. Only below the limit does
    the signing transaction look again with `exact=True`, which first serializes the
    submissions of that one network (an advisory lock on PostgreSQL; SQLite's write lock is
    held already), so a hundred simultaneous ones cannot all count the same nine before them."""
    if not network_hash:
        return False
    if exact and connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [network_hash])
    return _recent("network_hash", network_hash) >= settings.LIMIT_PER_NETWORK
