"""The client's IP address, and the keyed hash that is all we ever store of it."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    # The socket's address. Forwarded headers are ignored: any client can write them.
    return request.META.get("REMOTE_ADDR", "") or ""


def ip_hash(ip: str) -> str:
    if not ip:
        return ""
    try:
        canonical = str(ipaddress.ip_address(ip))
    except ValueError:
        canonical = ip
    key = settings.IP_HASH_KEY.encode()
    return hmac.new(key, b"ip:" + canonical.encode(), hashlib.sha256).hexdigest()[:32]
