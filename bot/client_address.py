"""Who is really on the other end of a request, and did they come over TLS?

Behind a TLS proxy or load balancer every request connects from the proxy's address, so
limits per client need the address the proxy saw. Proxies pass it on in `X-Forwarded-For`
("client, proxy1, proxy2"), but anyone can send that header: it is honoured only when the
connecting address is a proxy listed in the TRUSTED_PROXIES setting (addresses or CIDR
networks, comma-separated; empty trusts no proxy).

Plain strings in, plain strings or booleans out, so any channel can use these.
"""

from __future__ import annotations

import ipaddress
import logging
from functools import lru_cache

logger = logging.getLogger(__name__)

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def real_client_address(
    connecting_address: str, forwarded_for: str | None, trusted_proxies: str
) -> str:
    """The client's address: the connecting address, or, when that is a trusted proxy, the
    rightmost `X-Forwarded-For` entry that is not itself a trusted proxy.

    `forwarded_for` is the header's value (several headers joined with commas). A malformed
    entry met on the way falls back to the connecting address. Addresses come back in
    their normal written form ("2001:db8::1", not "[2001:DB8:0::1]:443").
    """
    connecting = normalise_address(connecting_address)
    if connecting is None:
        return (connecting_address or "").strip() or "unknown"
    if not forwarded_for or not is_trusted_proxy(connecting, trusted_proxies):
        return connecting
    hops = [hop.strip() for hop in forwarded_for.split(",")]
    client = connecting
    for hop in reversed(hops):
        address = normalise_address(hop)
        if address is None:
            return connecting
        client = address
        if not is_trusted_proxy(address, trusted_proxies):
            return address
    # Every hop was a trusted proxy: the leftmost is as far back as anyone can tell.
    return client


def came_over_tls(
    connecting_address: str, scheme: str, forwarded_proto: str | None, trusted_proxies: str
) -> bool:
    """Whether the browser's connection was encrypted: `X-Forwarded-Proto` (its last value,
    set by the proxy nearest us) when the connecting address is a trusted proxy, else the
    request's own scheme ("https" or "wss")."""
    connecting = normalise_address(connecting_address)
    if forwarded_proto and connecting and is_trusted_proxy(connecting, trusted_proxies):
        proto = forwarded_proto.split(",")[-1].strip().lower()
        return proto in ("https", "wss")
    return (scheme or "").strip().lower() in ("https", "wss")


def is_trusted_proxy(address: str, trusted_proxies: str) -> bool:
    """Whether `address` is one of the trusted proxies (an exact address or in a network)."""
    parsed = normalise_address(address)
    if parsed is None:
        return False
    ip = ipaddress.ip_address(parsed)
    return any(ip in network for network in _networks(trusted_proxies))


def invalid_trusted_proxies(trusted_proxies: str) -> list[str]:
    """The entries of a TRUSTED_PROXIES value that are neither an address nor a network."""
    return [entry for entry in _entries(trusted_proxies) if _network(entry) is None]


def normalise_address(value: str | None) -> str | None:
    """An IP address in its normal form, or None when `value` is not one. Accepts a port
    ("192.0.2.1:443", "[2001:db8::1]:443") and brackets, as proxies sometimes write them."""
    text = (value or "").strip()
    if not text or len(text) > 64:
        return None
    if text.startswith("["):
        text = text[1:].split("]", 1)[0]
    elif text.count(":") == 1:
        text = text.split(":", 1)[0]
    try:
        ip = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return str(ip.ipv4_mapped)
    return str(ip)


def _entries(trusted_proxies: str) -> list[str]:
    return [entry.strip() for entry in (trusted_proxies or "").split(",") if entry.strip()]


def _network(entry: str) -> Network | None:
    try:
        return ipaddress.ip_network(entry, strict=False)
    except ValueError:
        return None


@lru_cache(maxsize=8)
def _networks(trusted_proxies: str) -> tuple[Network, ...]:
    networks = []
    for entry in _entries(trusted_proxies):
        network = _network(entry)
        if network is None:
            # Fail closed: a mistyped entry trusts nothing, and says so once.
            logger.warning("TRUSTED_PROXIES entry %r is not an address or network: ignored", entry)
        else:
            networks.append(network)
    return tuple(networks)
