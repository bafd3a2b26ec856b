"""The real client address behind trusted proxies, and whether the browser came over TLS."""

import pytest

from bot.client_address import (
    came_over_tls,
    invalid_trusted_proxies,
    is_trusted_proxy,
    normalise_address,
    real_client_address,
)

PROXIES = "10.0.0.0/8, 192.0.2.7, 2001:db8::/32"


def test_without_trusted_proxies_the_header_is_ignored():
    assert real_client_address("198.51.100.9", "203.0.113.5", "") == "198.51.100.9"


def test_a_client_that_is_not_a_proxy_cannot_choose_its_address():
    assert real_client_address("198.51.100.9", "203.0.113.5", PROXIES) == "198.51.100.9"


def test_behind_a_trusted_proxy_the_address_it_saw_is_used():
    assert real_client_address("10.1.2.3", "203.0.113.5", PROXIES) == "203.0.113.5"


def test_a_forged_leftmost_entry_is_passed_over():
    # The client sent "1.1.1.1"; the proxy appended the address it really saw.
    assert real_client_address("10.1.2.3", "1.1.1.1, 203.0.113.5", PROXIES) == "203.0.113.5"


def test_a_chain_of_trusted_proxies_is_walked_from_the_right():
    header = "1.1.1.1, 203.0.113.5, 192.0.2.7, 10.9.9.9"
    assert real_client_address("10.1.2.3", header, PROXIES) == "203.0.113.5"


def test_when_every_hop_is_trusted_the_leftmost_is_the_client():
    assert real_client_address("10.1.2.3", "10.4.4.4, 10.5.5.5", PROXIES) == "10.4.4.4"


@pytest.mark.parametrize("header", ["not-an-address", "203.0.113.5, ", "999.1.1.1", "a" * 80])
def test_malformed_forwarded_values_fall_back_to_the_connecting_address(header):
    assert real_client_address("10.1.2.3", header, PROXIES) == "10.1.2.3"


def test_ports_brackets_and_ipv6_are_normalised():
    assert real_client_address("10.1.2.3", "203.0.113.5:51234", PROXIES) == "203.0.113.5"
    assert real_client_address("10.1.2.3", "[2001:DB9:0::1]:443", PROXIES) == "2001:db9::1"
    assert real_client_address("2001:db8::5", "2001:db9::1", PROXIES) == "2001:db9::1"
    assert normalise_address("::ffff:10.1.2.3") == "10.1.2.3"
    assert normalise_address("") is None


def test_a_malformed_connecting_address_is_returned_as_it_is():
    assert real_client_address("", "203.0.113.5", PROXIES) == "unknown"


def test_bad_trusted_proxy_entries_trust_nothing_and_are_reported():
    assert invalid_trusted_proxies("10.0.0.0/8, proxy.internal, 300.1.1.1") == [
        "proxy.internal",
        "300.1.1.1",
    ]
    assert is_trusted_proxy("10.2.2.2", "10.0.0.0/8, proxy.internal")
    assert not is_trusted_proxy("192.0.2.8", PROXIES)
    assert real_client_address("10.1.2.3", "203.0.113.5", "proxy.internal") == "10.1.2.3"


def test_tls_comes_from_the_request_unless_a_trusted_proxy_says_otherwise():
    assert came_over_tls("198.51.100.9", "https", None, "")
    assert not came_over_tls("198.51.100.9", "http", "https", PROXIES)  # not a proxy: ignored
    assert came_over_tls("10.1.2.3", "http", "https", PROXIES)
    assert not came_over_tls("10.1.2.3", "https", "http", PROXIES)
    assert came_over_tls("10.1.2.3", "http", "http, https", PROXIES)
    assert not came_over_tls("10.1.2.3", "http", None, PROXIES)
