"""Webhook URLs: https only, and never an address inside the service's own network (loopback,
private, link-local...), checked on the addresses the host resolves to, at registration and again
before each delivery (a name may resolve elsewhere later). Tests and closed networks relax both
with DEBARLIST_WEBHOOK_ALLOW_HTTP and DEBARLIST_WEBHOOK_ALLOW_PRIVATE."""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from service.kernel.errors import FieldError, Unprocessable


class RefusedURL(ValueError):
    """The URL may not receive webhooks; the message says why."""


def _blocked(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return (address.is_private or address.is_loopback or address.is_link_local or address.is_multicast
            or address.is_reserved or address.is_unspecified or not address.is_global)


def check_url(url: str, *, allow_http: bool, allow_private: bool) -> str:
    """Return ``url`` if it may receive webhooks, else raise ``RefusedURL``."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise RefusedURL(f"not a valid URL: {exc}") from None
    if parts.scheme not in ({"https", "http"} if allow_http else {"https"}):
        raise RefusedURL("the URL must use https" if not allow_http else "the URL must use http or https")
    host = parts.hostname
    if not host:
        raise RefusedURL("the URL has no host")
    if parts.username is not None or parts.password is not None:
        raise RefusedURL("the URL must not carry credentials (user:password@); the signature authenticates")
    if parts.fragment:
        raise RefusedURL("the URL must not have a fragment")
    if allow_private:
        return url
    try:
        literal = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    if literal is not None:
        addresses = {literal}
    else:
        try:
            infos = socket.getaddrinfo(host, port or (443 if parts.scheme == "https" else 80),
                                       type=socket.SOCK_STREAM)
        except (OSError, UnicodeError, ValueError):  # ValueError: e.g. a NUL in the name
            raise RefusedURL(f"the host {host!r} does not resolve") from None
        addresses = {ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in infos}
    blocked = sorted(str(a) for a in addresses if _blocked(a))
    if blocked:
        raise RefusedURL(f"the host {host!r} is (or resolves to) an address that is not public: "
                         f"{', '.join(blocked)} (private, loopback, link-local or reserved)")
    return url


def validated(url: str, *, allow_http: bool, allow_private: bool) -> str:
    """``check_url`` as a request's 422 on ``body.url``."""
    try:
        return check_url(url, allow_http=allow_http, allow_private=allow_private)
    except RefusedURL as refusal:
        raise Unprocessable(f"url: {refusal}", errors=[FieldError(field="body.url", message=str(refusal))]) from None
