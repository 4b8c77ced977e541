"""Fetching a source's document over HTTP(S), safely.

Server-side request forgery: a source's address is typed by a user, and the worker sits
inside the network. Every hop (the address and each redirect, followed here, at most
MAX_REDIRECTS) is resolved first and refused when any of its addresses is private,
loopback, link-local, multicast, reserved or unspecified, unless the deployment allows
private addresses (IMPORT_ALLOW_PRIVATE_URLS). The connection then goes to the address
that was checked, so a DNS answer that changes in between cannot slip through.

The body streams into a spooled temporary file under a size cap, with timeouts on
connect and read, and must say it is CSV or JSON.
"""

from __future__ import annotations

import hashlib
import http.client
import ipaddress
import socket
import ssl
import tempfile
from dataclasses import dataclass
from typing import IO
from urllib.parse import urljoin, urlsplit

from django.conf import settings

MAX_REDIRECTS = 5
CHUNK = 64 * 1024
ALLOWED_TYPES = {
    "text/csv",
    "application/csv",
    "text/plain",
    "application/vnd.ms-excel",  # what many servers call a .csv file
    "application/json",
    "text/json",
}


class FetchRefused(ValueError):
    """The address or the answer is not acceptable; retrying will not help."""


class FetchFailed(OSError):
    """The network or the server failed (timeout, refused connection, 5xx): worth a retry."""


@dataclass
class Fetched:
    body: IO[bytes]
    sha256: str
    size: int
    content_type: str
    url: str


def vetted_address(host: str, port: int) -> str:
    """An address of `host` to connect to, after checking every address it resolves to."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as error:
        raise FetchFailed(f"The host {host} could not be resolved ({error}).") from None
    addresses = [str(info[4][0]) for info in infos]
    if not settings.IMPORT_ALLOW_PRIVATE_URLS:
        for text in addresses:
            address = ipaddress.ip_address(text.split("%")[0])
            if refused := refused_address(address):
                raise FetchRefused(
                    f"{host} resolves to {refused}, a private or reserved address: "
                    "sources may only fetch from public addresses."
                )
    return addresses[0]


NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))
IPV4_COMPATIBLE = ipaddress.ip_network("::/96")


def embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address stands for, where the host's own stack or a
    translator would deliver to it: IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible
    (::a.b.c.d), 6to4 (2002:AABB:CCDD::) and NAT64 (64:ff9b::a.b.c.d). (Teredo, 2001::/32,
    is refused whole: it is not a global range.)"""
    if address.ipv4_mapped:
        return address.ipv4_mapped
    if address.sixtofour:
        return address.sixtofour
    if any(address in network for network in NAT64) or address in IPV4_COMPATIBLE:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def refused_address(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str:
    """Why a source may not connect to `address` (the address it stands for), or ""."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.is_site_local:  # fec0::/10: deprecated, still routed inside some sites
            return str(address)
        inner = embedded_ipv4(address)
        if inner is not None:  # the IPv4 address decides
            return f"{address} ({inner})" if refused_address(inner) else ""
    if (
        not address.is_global
        or address.is_multicast
        or address.is_reserved
        or address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_unspecified
    ):
        return str(address)
    return ""


def _connection(scheme: str, host: str, port: int, timeout: float) -> http.client.HTTPConnection:
    address = vetted_address(host, port)

    def connect(_address, *args, **kwargs):  # to the checked address, not a new lookup
        return socket.create_connection((address, port), *args, **kwargs)

    conn: http.client.HTTPConnection
    if scheme == "https":
        # Certificates are checked against the host name (SNI), not the address.
        conn = http.client.HTTPSConnection(
            host, port, timeout=timeout, context=ssl.create_default_context()
        )
    else:
        conn = http.client.HTTPConnection(host, port, timeout=timeout)
    conn._create_connection = connect  # type: ignore[attr-defined]
    return conn


def origin(url: str) -> tuple[str, str, int] | None:
    """Scheme, host and port of `url` (the port its scheme implies when none is given);
    None for an address that does not parse."""
    try:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        return None
    return (parts.scheme.lower(), (parts.hostname or "").lower(), port)


def fetch(
    url: str, *, headers: dict[str, str] | None = None, csv_head: int | None = None
) -> Fetched:
    """GET `url`, following redirects ourselves; the body in a temporary file (memory up
    to 1 MB, then disk) with its SHA-256. Credentials (`headers`) are sent to the first
    host only, never to another host a redirect points at.

    With `csv_head` (a preview), a CSV document is read only that far, cut after its last
    whole line, and the connection closed: the rest is never downloaded. A JSON document
    is read whole (up to the cap), as it cannot be read in part."""
    timeout = settings.IMPORT_FETCH_TIMEOUT
    cap = settings.IMPORT_MAX_BYTES
    origin = None
    for _ in range(MAX_REDIRECTS + 1):
        try:
            parts = urlsplit(url)
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError:  # a port past 65535, brackets that do not close…
            raise FetchRefused("The address (or one it redirected to) is not valid.") from None
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise FetchRefused("Only http:// and https:// addresses can be fetched.")
        # Credentials go to the first address's scheme, host and port only: never in clear
        # over a redirect from https to http, never to another port's service.
        here = (parts.scheme, parts.hostname, port)
        origin = origin or here
        conn = _connection(parts.scheme, parts.hostname, port, timeout)
        sent = {"User-Agent": "ld-roadmap-import/1", "Accept": "text/csv, application/json"}
        if headers and here == origin:
            sent.update(headers)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        try:
            try:
                conn.request("GET", path, headers=sent)
            except ValueError:
                # http.client refuses a header value with a line break (its message would
                # repeat the secret) or a path with control characters.
                raise FetchRefused(
                    "The request could not be sent: check the address and the header."
                ) from None
            response = conn.getresponse()
            if response.status in (301, 302, 303, 307, 308):
                location = response.getheader("Location")
                conn.close()
                if not location:
                    raise FetchRefused("The server redirected without saying where.")
                url = urljoin(url, location)
                continue
            if response.status == 429 or response.status >= 500:
                raise FetchFailed(f"The server answered {response.status}.")
            if response.status != 200:
                raise FetchRefused(f"The server answered {response.status} {response.reason}.")
            content_type = (response.getheader("Content-Type") or "").split(";")[0].strip()
            if content_type.lower() not in ALLOWED_TYPES:
                raise FetchRefused(
                    f"The server sent {content_type or 'no content type'}, not CSV or JSON."
                )
            head = csv_head if csv_head and "json" not in content_type.lower() else None
            declared = response.getheader("Content-Length")
            if not head and declared and declared.isdigit() and int(declared) > cap:
                raise FetchRefused(f"The document is larger than {cap:,} bytes.")
            body = tempfile.SpooledTemporaryFile(max_size=1024 * 1024)  # noqa: SIM115 (returned)
            digest = hashlib.sha256()
            size = 0
            while chunk := response.read(min(CHUNK, head - size) if head else CHUNK):
                if head and size + len(chunk) >= head:
                    # Enough for a preview: up to the last whole line, then hang up.
                    cut = chunk.rfind(b"\n") + 1 if b"\n" in chunk else len(chunk)
                    chunk = chunk[:cut]
                    size += len(chunk)
                    digest.update(chunk)
                    body.write(chunk)
                    break
                size += len(chunk)
                if size > cap:
                    body.close()
                    raise FetchRefused(f"The document is larger than {cap:,} bytes.")
                digest.update(chunk)
                body.write(chunk)
            body.seek(0)
            return Fetched(body, digest.hexdigest(), size, content_type, url)
        except (TimeoutError, ConnectionError, http.client.HTTPException, ssl.SSLError) as error:
            raise FetchFailed(f"Fetching {parts.hostname} failed: {error}") from None
        except OSError as error:
            if isinstance(error, FetchFailed):
                raise
            raise FetchFailed(f"Fetching {parts.hostname} failed: {error}") from None
        finally:
            conn.close()
    raise FetchRefused(f"More than {MAX_REDIRECTS} redirects.")
