"""The client's IP address, and the keyed hash that is all we ever store of it."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """The client's address: the socket's, unless the operator says that N proxies of theirs
    stand in front (UNDERSIGNED_TRUSTED_PROXIES). Each proxy appends the address it saw to
    X-Forwarded-For, so the client is the N-th entry from the right; whatever a client wrote
    to the left of it is ignored."""
    remote = request.META.get("REMOTE_ADDR", "") or ""
    hops = settings.TRUSTED_PROXIES
    if not hops:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    if len(forwarded) < hops:
        return remote
    candidate = forwarded[-hops]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote


def ip_hash(ip: str) -> str:
    if not ip:
        return ""
    try:
        canonical = str(ipaddress.ip_address(ip))
    except ValueError:
        canonical = ip
    key = settings.IP_HASH_KEY.encode()
    return hmac.new(key, b"ip:" + canonical.encode(), hashlib.sha256).hexdigest()[:32]


def network_hash(ip: str) -> str:
    """The keyed hash of the network an address belongs to (IPv4 /24, IPv6 /64): what rate
    limits count, since one person can use many addresses of one network."""
    if not ip:
        return ""
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return ""
    prefix = 24 if address.version == 4 else 64
    network = ipaddress.ip_network(f"{address}/{prefix}", strict=False)
    key = settings.IP_HASH_KEY.encode()
    return hmac.new(key, b"net:" + str(network).encode(), hashlib.sha256).hexdigest()[:32]
