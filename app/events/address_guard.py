"""The SSRF guard: a webhook may only reach the public internet.

Checked when an endpoint is saved (a 422 naming `/body/url`) and again before every
delivery, after resolving the name: the delivery then connects to the address that was
checked, so a name that resolves elsewhere a second later (DNS rebinding) gains nothing.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class UnsafeAddress(Exception):
    """The URL may not be called; the message says why, for a person to read."""


def is_forbidden(address: IPAddress) -> bool:
    """Loopback, private, link-local (cloud metadata), unique-local, shared, reserved,
    unspecified and multicast addresses: anything not globally routable."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_multicast or not address.is_global


async def resolve(host: str, port: int) -> list[IPAddress]:
    """Every address the name resolves to (tests replace this)."""
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [ipaddress.ip_address(info[4][0]) for info in infos]


def parse_url(url: str, *, require_https: bool) -> SplitResult:
    parts = urlsplit(url)
    allowed = ("https",) if require_https else ("http", "https")
    if parts.scheme not in allowed:
        raise UnsafeAddress(
            "The URL must start with https://."
            if require_https
            else "The URL must start with http:// or https://."
        )
    if not parts.hostname:
        raise UnsafeAddress("The URL has no host.")
    if parts.username or parts.password:
        raise UnsafeAddress("The URL may not carry a user name or password.")
    return parts


def default_port(parts: SplitResult) -> int:
    return parts.port or (443 if parts.scheme == "https" else 80)


async def public_address(parts: SplitResult) -> IPAddress:
    """The address to connect to: the host's, if every address it has is public."""
    host = parts.hostname or ""
    try:
        addresses = [ipaddress.ip_address(host)]
    except ValueError:
        try:
            addresses = await resolve(host, default_port(parts))
        except (OSError, UnicodeError):
            raise UnsafeAddress(f"The host {host} could not be resolved.") from None
    if not addresses:
        raise UnsafeAddress(f"The host {host} could not be resolved.")
    for address in addresses:
        if is_forbidden(address):
            raise UnsafeAddress(
                f"The host {host} leads to a private or reserved address ({address}); "
                "webhooks may only call public addresses."
            )
    return addresses[0]


@dataclass(frozen=True)
class Target:
    """Where to connect, and the name the server must answer for (Host and TLS)."""

    url: str
    host_header: str | None
    server_name: str | None


async def check_url(url: str, *, allow_private: bool, require_https: bool) -> SplitResult:
    """Raise UnsafeAddress unless this URL may be saved."""
    parts = parse_url(url, require_https=require_https and not allow_private)
    if not allow_private:
        await public_address(parts)
    return parts


async def pinned_target(url: str, *, allow_private: bool, require_https: bool) -> Target:
    """The URL rewritten to the checked address, so the connection goes where we looked."""
    parts = parse_url(url, require_https=require_https and not allow_private)
    if allow_private:
        return Target(url, None, None)
    address = await public_address(parts)
    host = f"[{address}]" if address.version == 6 else str(address)
    netloc = f"{host}:{parts.port}" if parts.port else host
    pinned = parts._replace(netloc=netloc).geturl()
    return Target(pinned, parts.netloc, parts.hostname if parts.scheme == "https" else None)
