"""The client IP comes from the socket unless the operator trusts a number of proxies."""

import pytest
from django.test import RequestFactory

from undersigned.core.net import client_ip, ip_hash


def request(remote="203.0.113.9", forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_a_forged_forwarded_header_changes_nothing_without_trusted_proxies(settings):
    settings.TRUSTED_PROXIES = 0
    assert client_ip(request(forwarded="198.51.100.1")) == "203.0.113.9"


@pytest.mark.parametrize(
    "hops,forwarded,expected",
    [
        (1, "198.51.100.7", "198.51.100.7"),
        (1, "6.6.6.6, 198.51.100.7", "198.51.100.7"),  # the client's own entry is ignored
        (2, "6.6.6.6, 198.51.100.7, 10.0.0.2", "198.51.100.7"),
        (2, "198.51.100.7", "203.0.113.9"),  # fewer entries than proxies: the socket
        (1, "not-an-ip", "203.0.113.9"),
        (1, "2001:DB8::1", "2001:db8::1"),
    ],
)
def test_the_client_is_the_entry_the_outermost_trusted_proxy_wrote(
    settings, hops, forwarded, expected
):
    settings.TRUSTED_PROXIES = hops
    assert client_ip(request(forwarded=forwarded)) == expected


def test_ips_are_stored_only_as_keyed_hashes(settings):
    first = ip_hash("203.0.113.9")
    assert "203" not in first and len(first) == 32
    settings.IP_HASH_KEY = "another key"
    assert ip_hash("203.0.113.9") != first
