"""`broken_link`: a link that does not answer (no such host, a timeout, an error status). The
worker fetches each link after a save, never a request; `check_text --links` does too. Each
fetch has a short timeout, a small redirect limit, a read limit, and a User-Agent that names the
platform. It never connects to a private, loopback or link-local address (checked on every
redirect, and connected by the address that was checked), except in the networks that
UNDERSIGNED_LINK_CHECK_ALLOW lists (the tests serve pages from 127.0.0.1)."""

from __future__ import annotations

import ipaddress
import socket
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import urllib3
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from undersigned.textchecks.document import Document
from undersigned.textchecks.findings import Finding, excerpt

TIMEOUT_SECONDS = 4.0
# The most one link may take, redirects and a slow body included.
DEADLINE_SECONDS = 10.0
REDIRECTS_MAX = 3
READ_MAX_BYTES = 64 * 1024
USER_AGENT = "undersigned-link-check/1 (checks the links of a statement before it is published)"


@dataclass(frozen=True)
class Answer:
    ok: bool
    # A short reason in English for the record: "404", "timeout", "no such host", …
    reason: str = ""


Networks = tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]


def allowed_networks() -> Networks:
    """The private networks the link check may fetch from (UNDERSIGNED_LINK_CHECK_ALLOW)."""
    return tuple(ipaddress.ip_network(n, strict=False) for n in settings.LINK_CHECK_ALLOW)


def _address(host: str, port: int, allowed: Networks) -> str:
    """The address to connect to: the first the name resolves to, all of them public (or in
    an allowed network)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    addresses = [str(info[4][0]) for info in infos]
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%")[0])
        if not ip.is_global and not any(ip in network for network in allowed):
            raise PermissionError(f"{host} is a private address")
    return addresses[0]


def fetch(url: str, *, allowed: Networks | None = None) -> Answer:
    """How the address answers a GET, bounded in time, size and redirects."""
    if allowed is None:
        allowed = allowed_networks()
    deadline = time.monotonic() + DEADLINE_SECONDS
    for _hop in range(REDIRECTS_MAX + 1):
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            return Answer(False, "not a web address")
        port = parts.port or (443 if parts.scheme == "https" else 80)
        try:
            address = _address(parts.hostname.strip("[]"), port, allowed)
        except PermissionError:
            return Answer(False, "private address")
        except (OSError, UnicodeError):
            return Answer(False, "no such host")
        timeout = urllib3.Timeout(connect=TIMEOUT_SECONDS, read=TIMEOUT_SECONDS)
        pool: urllib3.HTTPConnectionPool
        if parts.scheme == "https":
            # Connected by the checked address; the certificate is still checked for the name.
            pool = urllib3.HTTPSConnectionPool(
                address, port, timeout=timeout, retries=False, maxsize=1,
                server_hostname=parts.hostname, assert_hostname=parts.hostname,
            )  # fmt: skip
        else:
            pool = urllib3.HTTPConnectionPool(
                address, port, timeout=timeout, retries=False, maxsize=1
            )
        path = parts.path or "/"
        if parts.query:
            path += "?" + parts.query
        try:
            response = pool.urlopen(
                "GET",
                path,
                headers={"Host": parts.netloc, "User-Agent": USER_AGENT, "Accept": "*/*"},
                redirect=False,
                preload_content=False,
            )
            try:
                # Enough to know it answers; never the rest, and never for longer than allowed.
                # read1 returns what has arrived: a body sent a byte at a time cannot hold the
                # check past its deadline.
                read = 0
                while read < READ_MAX_BYTES and time.monotonic() < deadline:
                    chunk = response.read1(8192)
                    if not chunk:
                        break
                    read += len(chunk)
            finally:
                response.release_conn()
                pool.close()
        except urllib3.exceptions.TimeoutError:
            return Answer(False, "timeout")
        except (urllib3.exceptions.HTTPError, OSError) as error:
            return Answer(False, type(error).__name__)
        if time.monotonic() > deadline:
            return Answer(False, "timeout")
        if response.status in (301, 302, 303, 307, 308) and response.headers.get("Location"):
            url = urljoin(url, response.headers["Location"])
            continue
        if response.status >= 400:
            return Answer(False, str(response.status))
        return Answer(True)
    return Answer(False, "too many redirects")


def web_links(doc: Document) -> list[tuple[str, int, str]]:
    """(url, line, link text) of every http(s) link of the text."""
    return [
        (link.href.strip(), link.line, link.text)
        for block in doc.blocks
        for link in block.links
        if urlsplit(link.href.strip()).scheme in ("http", "https")
    ]


def check(doc: Document, answers: dict[str, Answer]) -> list[Finding]:
    """Findings for the links whose answer (fetched before) was a failure."""
    found = []
    for url, line, text in web_links(doc):
        answer = answers.get(url)
        if answer is not None and not answer.ok:
            found.append(
                Finding(
                    "broken_link",
                    doc.language,
                    line,
                    excerpt(f"[{text}]({url})"),
                    _("The link does not answer (%(reason)s).") % {"reason": answer.reason},
                )
            )
    return found
