"""A closed-loop load generator of browser-like signers, on loopback only.

Each signature is what a browser does: GET the form page (which sets the CSRF cookie), then POST
the form with the token from the page. A virtual signer starts again as soon as its POST is
answered (closed loop). Every loop is bounded by a count and a deadline.

Like a surge, each signature comes from a network of its own, as the operator's proxy tells
(X-Forwarded-For; the benchmark's server trusts one proxy), with a mailbox at one of 1,000
domains: no abuse limit flags the load or holds its confirmation emails back, so the worker
records and mails every signature.
"""

from __future__ import annotations

import asyncio
import itertools
import re
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import aiohttp

TOKEN = re.compile(rb'name="(csrfmiddlewaretoken|text_version|rendered)" value="([^"]+)"')
_serial = itertools.count(1)
DOMAINS = 1000


def signer_address(serial: int) -> str:
    """A private IPv4 address whose /24 differs for each of 65,536 consecutive serials."""
    return f"10.{(serial >> 8) & 255}.{serial & 255}.{1 + (serial >> 16) % 254}"


def assert_loopback(url: str) -> None:
    host = urlsplit(url).hostname or ""
    if not (host == "localhost" or host.startswith("127.") or host == "::1"):
        raise ValueError(f"load is only ever sent to this machine, not to {host!r}")


@dataclass
class SignResult:
    ok: int = 0
    errors_5xx: int = 0
    errors_other: int = 0
    sign_ms: list[float] = field(default_factory=list)
    acked_emails: list[str] = field(default_factory=list)
    elapsed: float = 0.0

    @property
    def per_second(self) -> float:
        return self.ok / self.elapsed if self.elapsed else 0.0

    def summary(self) -> dict:
        return {
            "signatures": self.ok,
            "per_s": round(self.per_second, 1),
            "p50_ms": round(percentile(self.sign_ms, 50), 1),
            "p99_ms": round(percentile(self.sign_ms, 99), 1),
            "errors_5xx": self.errors_5xx,
            "errors_other": self.errors_other,
            "seconds": round(self.elapsed, 2),
        }


def percentile(values: list[float], pct: float) -> float:
    if not values:
        return 0.0
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(pct) - 1]


def individual_fields(email: str) -> dict[str, str]:
    return {"name": "Load Tester", "country": "FR", "email": email, "visibility": "show"}


def _load_email(serial: int) -> str:
    return f"load{serial}-{time.time_ns()}@d{serial % DOMAINS}.bench.example.org"


async def _one_signature(
    session: aiohttp.ClientSession, url: str, fields: dict[str, str], result: SignResult
) -> None:
    session.cookie_jar.clear()  # a new visitor every time
    forwarded = {"X-Forwarded-For": signer_address(next(_serial))}
    async with session.get(url, headers=forwarded) as response:
        body = await response.read()
        if response.status >= 500:
            result.errors_5xx += 1
            return
    tokens = {k.decode(): v.decode() for k, v in TOKEN.findall(body)}
    if "csrfmiddlewaretoken" not in tokens:
        result.errors_other += 1
        return
    started = time.perf_counter()
    async with session.post(
        url, data={**tokens, **fields}, allow_redirects=False, headers={"Referer": url, **forwarded}
    ) as response:
        await response.read()
        status = response.status
    elapsed_ms = (time.perf_counter() - started) * 1000
    if status in (302, 303):
        result.ok += 1
        result.sign_ms.append(elapsed_ms)
        result.acked_emails.append(fields["email"])
    elif status >= 500:
        result.errors_5xx += 1
    else:
        result.errors_other += 1


async def _signer(
    base_urls: list[str],
    path: str,
    deadline: float,
    budget: list[int],
    make_fields: Callable[[], dict[str, str]],
    result: SignResult,
    n: int,
) -> None:
    jar = aiohttp.CookieJar(unsafe=True)  # cookies for 127.0.0.1
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(cookie_jar=jar, timeout=timeout) as session:
        for i in itertools.count():
            if time.monotonic() >= deadline or budget[0] <= 0:
                return
            budget[0] -= 1
            url = base_urls[(n + i) % len(base_urls)] + path
            try:
                await _one_signature(session, url, make_fields(), result)
            except (TimeoutError, aiohttp.ClientError, ConnectionError):
                result.errors_other += 1


async def sign_load(
    base_urls: list[str],
    path: str,
    *,
    concurrency: int,
    seconds: float,
    max_signatures: int,
    make_fields: Callable[[], dict[str, str]] | None = None,
    result: SignResult | None = None,
) -> SignResult:
    """Run `concurrency` closed-loop signers for at most `seconds` and `max_signatures`.
    Several base URLs are used in turn, as a proxy in front of several app servers would.
    Pass `result` to watch the counts while the load runs."""
    for url in base_urls:
        assert_loopback(url)
    make_fields = make_fields or (lambda: individual_fields(_load_email(next(_serial))))
    result = result if result is not None else SignResult()
    budget = [max_signatures]
    started = time.monotonic()
    deadline = started + seconds
    await asyncio.gather(
        *(
            _signer(base_urls, path, deadline, budget, make_fields, result, n)
            for n in range(concurrency)
        )
    )
    result.elapsed = time.monotonic() - started
    return result


async def pages_load(
    urls: list[str], *, concurrency: int, seconds: float, max_requests: int
) -> tuple[dict[str, list[float]], int]:
    """GET pages in a closed loop, each reader taking them in turn (reader n starting at the
    n-th), so that every page is read on the same machine at the same moments; the latencies
    of each page's answers, and the number of errors."""
    for url in urls:
        assert_loopback(url)
    latencies: dict[str, list[float]] = {url: [] for url in urls}
    errors = 0
    budget = [max_requests]
    deadline = time.monotonic() + seconds

    async def reader(n: int) -> None:
        nonlocal errors
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as session:
            for i in itertools.count(n):
                if time.monotonic() >= deadline or budget[0] <= 0:
                    return
                budget[0] -= 1
                url = urls[i % len(urls)]
                started = time.perf_counter()
                try:
                    async with session.get(url) as response:
                        await response.read()
                        if response.status != 200:
                            errors += 1
                            continue
                except (TimeoutError, aiohttp.ClientError):
                    errors += 1
                    continue
                latencies[url].append((time.perf_counter() - started) * 1000)

    await asyncio.gather(*(reader(n) for n in range(concurrency)))
    return latencies, errors


async def page_load(
    url: str,
    *,
    concurrency: int,
    seconds: float,
    max_requests: int,
    latencies: list[float] | None = None,
) -> dict:
    """GET one page in a closed loop; latency percentiles of the answers (each latency is also
    appended to `latencies` when given, to pool several runs)."""
    got, errors = await pages_load(
        [url], concurrency=concurrency, seconds=seconds, max_requests=max_requests
    )
    latencies = latencies if latencies is not None else []
    latencies += got[url]
    return {
        "requests": len(latencies),
        "p50_ms": round(percentile(latencies, 50), 2),
        "p99_ms": round(percentile(latencies, 99), 2),
        "errors": errors,
    }
