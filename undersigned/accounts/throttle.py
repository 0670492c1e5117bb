"""Who django-axes counts failed logins for: the account, and the client's network.

axes stores the address it is given. A coordinator's raw address is not kept anywhere: the
network (IPv4 /24, IPv6 /64) is hashed with the platform's IP key and written as an address in
a private range (fd00::/8), which every database stores as an IP address."""

from __future__ import annotations

import hashlib
import ipaddress

from django.http import HttpRequest

from undersigned.core.net import client_ip, network_hash


def client_network(request: HttpRequest) -> str:
    digest = hashlib.sha256(network_hash(client_ip(request)).encode()).digest()
    return str(ipaddress.IPv6Address(b"\xfd" + digest[:15]))
