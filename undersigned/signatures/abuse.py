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
# Terms of one compound SELECT (SQLite allows 500).
_TERMS = 400


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


def _limits(email_normalized: str, email_domain: str, network_hash: str) -> list:
    """(column, value, limit) of each hourly limit that applies to this sender. A free-mail
    domain has none: a surge brings thousands of unrelated people from each of them."""
    limits = [("email_normalized", email_normalized, settings.LIMIT_PER_EMAIL)]
    if email_domain and email_domain not in FREE_MAIL_DOMAINS:
        limits.append(("email_domain", email_domain, settings.LIMIT_PER_DOMAIN))
    if network_hash:
        limits.append(("network_hash", network_hash, settings.LIMIT_PER_NETWORK))
    return limits


class Senders:
    """Signs in who sends, for a batch of senders the worker records together: the email and
    domain blocklists, the per-mailbox and per-domain limits (as flags), whether the network
    has reached its hourly limit, and, when the network has had more than EMAILS_PER_NETWORK
    signatures within the hour, when that hour has passed (a flagged signature's email waits
    until then).

    Everything is read in one statement when the batch starts (on SQLite, one per 400 terms:
    a batch of up to 133 senders): for each sender not already known at its limit, the
    creation times of its most recent rows in the window, as many as its largest limit (a
    backward walk of the (column, created) index, bounded by the limit), and the block rules
    naming any of the batch's mailboxes or domains. The caller then asks
    `signs` for each submission in order and `add`s each row it will store, so the counts
    include the batch's own earlier rows. Exact when the caller's transaction serializes the
    senders' networks (services._lock_networks): the counts then see every signature recorded
    before. Blocked networks are found earlier (`network_blocked`)."""

    def __init__(self, senders: list[tuple[str, str, str]]):
        """`senders`: (email_normalized, email_domain, network_hash) of each submission."""
        self.now = timezone.now()
        self.since = self.now - _WINDOW
        wanted: dict[tuple[str, str], int] = {}
        for email, domain, network in senders:
            for column, value, limit in self._limits(email, domain, network):
                if not _known_at_limit(column, value, self.now):
                    key = (column, value)
                    wanted[key] = max(wanted.get(key, 0), limit)
        self.rows: dict[tuple[str, str], list[datetime]] = {key: [] for key in wanted}
        self.rules: set[tuple[str, str]] = set()
        self._read(
            wanted,
            emails={email for email, _domain, _network in senders},
            domains={domain for _email, domain, _network in senders},
        )

    @staticmethod
    def _limits(email: str, domain: str, network: str) -> list[tuple[str, str, int]]:
        """Each (column, value, limit) to count for this sender; the network's email cap is
        counted on its network_hash rows under the key _EMAIL_CAP."""
        limits = _limits(email, domain, network)
        if network and settings.EMAILS_PER_NETWORK:
            limits.append((_EMAIL_CAP, network, settings.EMAILS_PER_NETWORK))
        return limits

    def _read(self, wanted: dict[tuple[str, str], int], emails: set, domains: set) -> None:
        # The email cap and the network limit walk the same rows: read them once, as many as
        # the larger of the two needs.
        reads: dict[tuple[str, str], int] = {}
        for (column, value), limit in wanted.items():
            real = "network_hash" if column == _EMAIL_CAP else column
            assert real in _COLUMNS
            reads[(real, value)] = max(reads.get((real, value), 0), limit)
        read_keys = list(reads)
        terms = self._row_terms(reads) + self._rule_terms(emails - {""}, domains - {""})
        found: dict[tuple[str, str], list[datetime]] = {key: [] for key in read_keys}
        with connection.cursor() as cursor:
            for start in range(0, len(terms), _TERMS):
                chunk = terms[start : start + _TERMS]
                cursor.execute(
                    " UNION ALL ".join(sql for sql, _params in chunk),
                    [value for _sql, params in chunk for value in params],
                )
                for index, created, rule in cursor.fetchall():
                    if index < 0:
                        kind, _, value = rule.partition(":")
                        self.rules.add((kind, value))
                    elif (at := _created(created)) is not None:
                        found[read_keys[index]].append(at)
        for column, value in wanted:
            real = "network_hash" if column == _EMAIL_CAP else column
            self.rows[(column, value)] = sorted(found[(real, value)], reverse=True)

    def _row_terms(self, reads: dict[tuple[str, str], int]) -> list[tuple[str, list]]:
        """SELECT terms giving (index of the key in `reads`, created, NULL) for each key's
        most recent rows in the window, as many as its limit: each a backward walk of the
        (column, created) index. PostgreSQL: one term per column and limit, a LATERAL walk
        for each value of an array (planning one term per key took 60 ms for a batch).
        SQLite, which has no LATERAL and plans a compound SELECT quickly: one term per key
        (at most 500 terms a statement)."""
        table = Signature._meta.db_table
        since = connection.ops.adapt_datetimefield_value(self.since)
        if connection.vendor == "postgresql":
            groups: dict[tuple[str, int], list[tuple[int, str]]] = {}
            for index, ((column, value), limit) in enumerate(reads.items()):
                groups.setdefault((column, limit), []).append((index, value))
            return [
                (
                    "SELECT k.i, w.created, NULL FROM unnest(%s::text[], %s::int[]) AS k(v, i) "  # noqa: S608
                    f"CROSS JOIN LATERAL (SELECT created FROM {table} WHERE {column} = k.v "
                    f"AND created >= %s ORDER BY created DESC LIMIT {int(limit)}) w",
                    [[v for _i, v in members], [i for i, _v in members], since],
                )
                for (column, limit), members in groups.items()
            ]
        return [
            (
                f"SELECT {index}, w.created, NULL FROM (SELECT created FROM {table} "  # noqa: S608
                f"WHERE {column} = %s AND created >= %s ORDER BY created DESC LIMIT %s) w",
                [value, since, limit],
            )
            for index, ((column, value), limit) in enumerate(reads.items())
        ]

    @staticmethod
    def _rule_terms(emails: set[str], domains: set[str]) -> list[tuple[str, list]]:
        """The SELECT term giving (-1, NULL, 'kind:value') for each block rule naming one of
        these mailboxes or domains."""
        if not emails and not domains:
            return []
        marks = ", ".join(["%s"] * len(emails)) or "NULL"
        domain_marks = ", ".join(["%s"] * len(domains)) or "NULL"
        return [
            (
                f"SELECT -1, NULL, kind || ':' || value FROM {BlockRule._meta.db_table} "  # noqa: S608
                f"WHERE (kind = 'email' AND value IN ({marks})) "
                f"OR (kind = 'domain' AND value IN ({domain_marks}))",
                [*emails, *domains],
            )
        ]

    def signs(
        self, email: str, domain: str, network: str
    ) -> tuple[list[str], bool, datetime | None]:
        """(flags, whether the network is over its limit, when a flagged signature's email may
        go) for the next submission of this sender, counting the rows `add`ed so far."""
        over = set()
        email_after = None
        for column, value, limit in self._limits(email, domain, network):
            until = _at_limit.get((column, value))
            if until is None or self.now >= until:
                rows = self.rows.get((column, value), [])
                until = (
                    _at_limit[(column, value)]
                    if len(rows) >= limit and _remember(column, value, rows[limit - 1])
                    else None
                )
            if until is None:
                continue
            if column == _EMAIL_CAP:
                email_after = until
            else:
                over.add(column)
        flags = []
        if ("email", email) in self.rules or ("domain", domain) in self.rules:
            flags.append(BLOCKED)
        if "email_normalized" in over:
            flags.append(OVER_EMAIL_LIMIT)
        if "email_domain" in over:
            flags.append(OVER_DOMAIN_LIMIT)
        return flags, "network_hash" in over, email_after

    def add(self, email: str, domain: str, network: str, created: datetime) -> None:
        """Count a row this batch stores for the sender."""
        if created < self.since:
            return
        for column, value, _limit in self._limits(email, domain, network):
            rows = self.rows.get((column, value))
            if rows is not None:
                rows.append(created)
                rows.sort(reverse=True)
