"""Which webhook addresses the server may call (SSRF).

A webhook makes this server send requests to an address a partner typed. Left
unchecked, that reaches whatever the server can reach: a cloud metadata service
on a link-local address, an admin port on loopback, the private network. So a
webhook URL must resolve to public addresses only, every one of them (a name
with one public and one private address could be answered either way), and it
is checked again at each delivery, which connects to the address just checked
instead of resolving the name again: what a name resolves to can change after it
was registered, or between a check and a connection (DNS rebinding).
WEBHOOK_ALLOW_PRIVATE_ADDRESSES (on with
DEBUG) lifts the rule for the demo and tests, which run receivers on 127.0.0.1.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings

MSG_SCHEME = "A webhook address must start with https://."
MSG_NO_HOST = "A webhook address needs a host name."
MSG_UNRESOLVED = "The host {host!r} could not be found (DNS): check the address."
MSG_PRIVATE = (
    "{host!r} resolves to {address}, a private, loopback or link-local address: "
    "webhooks go to public servers only."
)


class RefusedAddress(ValueError):
    """The URL may not be called; the message says why, for the person who typed it."""


IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def resolve(host: str, port: int) -> list[IPAddress]:
    """Every address `host` resolves to (an IP literal is its own address)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise RefusedAddress(MSG_UNRESOLVED.format(host=host)) from error
    # An IPv6 address may carry a %zone suffix, which ip_address does not parse.
    return [ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in infos]


def is_public(address: IPAddress) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast


def checked_address(url: str) -> IPAddress:
    """The address to send `url`'s request to: its host resolved once, every address it
    resolves to checked. Connecting to this one address (and not resolving the name
    again) is what keeps a name that changes its answer (DNS rebinding) out.

    Raises RefusedAddress unless `url` may receive webhooks from this server.
    """
    allow_private = settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES
    parts = urlsplit(url)
    if parts.scheme != "https" and not (allow_private and parts.scheme == "http"):
        raise RefusedAddress(MSG_SCHEME)
    if not parts.hostname:
        raise RefusedAddress(MSG_NO_HOST)
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as error:
        raise RefusedAddress(MSG_NO_HOST) from error
    found = resolve(parts.hostname, port)
    if not allow_private:
        for address in found:
            if not is_public(address):
                raise RefusedAddress(MSG_PRIVATE.format(host=parts.hostname, address=address))
    return found[0]


def check_webhook_url(url: str) -> None:
    """Raise RefusedAddress unless `url` may receive webhooks from this server."""
    checked_address(url)
