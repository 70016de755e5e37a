"""The private-network guard: which addresses a connection may go to, checked at the connection itself.

The host name is resolved, every address is checked, and the connection goes to the checked address — no
window between check and connect, and redirects are checked the same way because every hop opens its own
connection. Non-public addresses are refused unless ``[daemon] allow`` names the host, address or network
(with its port, if given), and metadata addresses unless named exactly (:class:`Guard`). Every connection that
leaves the machine is opened on :func:`checked_addresses`: the fetcher's (:mod:`monitor.http1`) and those of
sinks that POST (httpx, through :func:`guarded_transport`).
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
import select
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import httpcore
import httpx

from monitor.httppool import reserving_pool


class BlockedAddress(httpcore.ConnectError):
    """The host resolves to an address the private-network guard refuses."""


#: Cloud metadata services (AWS, GCP, Azure, ECS task metadata, Alibaba, Oracle, AWS over IPv6). Reaching one
#: from a feed link hands out credentials, so these stay refused unless an ``allow`` entry names the address
#: exactly — ``allow_private_networks`` and a network entry that contains one do not open them.
METADATA_ADDRESSES = frozenset(ipaddress.ip_address(a) for a in (
    "169.254.169.254", "169.254.170.2", "169.254.170.23", "100.100.100.200", "192.0.0.192", "fd00:ec2::254",
    "fd00:ec2::23",
))

_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_HOSTNAME = re.compile(rf"^(?=.{{1,253}}$){_LABEL}(?:\.{_LABEL})*$")

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def _plain(address: str | IPAddress) -> IPAddress:
    """The address without zone, IPv4-mapped IPv6 as the IPv4 address it maps."""
    ip = ipaddress.ip_address(address.split("%", 1)[0]) if isinstance(address, str) else address
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    return ip


def is_public_address(address: str) -> bool:
    """False for loopback, private, link-local (cloud metadata), multicast, reserved and unspecified addresses,
    including their IPv4-mapped IPv6 forms."""
    ip = _plain(address)
    return not (ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_multicast or ip.is_reserved
                or ip.is_unspecified or not ip.is_global)


@dataclass(frozen=True)
class AllowEntry:
    """One ``[daemon] allow`` entry: a host name, an address or a network, with or without a port."""

    text: str
    host: str | None = None
    network: ipaddress.IPv4Network | ipaddress.IPv6Network | None = None
    port: int | None = None

    @classmethod
    def parse(cls, text: str) -> AllowEntry:
        """``"127.0.0.1:8080"``, ``"10.1.0.0/16"``, ``"[::1]:8080"``, ``"fd00::/8"``, ``"feeds.internal:443"``;
        ValueError says what is wrong."""
        raw = text.strip()
        hostpart, port = raw, None
        if raw.startswith("["):
            inside, _, rest = raw[1:].partition("]")
            if rest and not rest.startswith(":"):
                raise ValueError(f"{text!r}: expected [IPv6]:port")
            hostpart, port = inside, _port(text, rest[1:]) if rest else None
        elif raw.count(":") == 1:
            hostpart, _, port_text = raw.partition(":")
            port = _port(text, port_text)
        try:
            net = ipaddress.ip_network(hostpart, strict=False)
        except ValueError:
            if "/" in hostpart or ":" in hostpart or not _HOSTNAME.match(hostpart.lower()):
                raise ValueError(f"{text!r}: not a host name, an address or a network "
                                 "(e.g. \"127.0.0.1:8080\", \"10.1.0.0/16\", \"feeds.internal\")") from None
            return cls(text, host=hostpart.lower().rstrip("."), port=port)
        if isinstance(net, ipaddress.IPv6Network) and net.prefixlen == 128 and net.network_address.ipv4_mapped:
            net = ipaddress.ip_network(net.network_address.ipv4_mapped)
        return cls(text, network=net, port=port)

    def names_exactly(self, ip: IPAddress) -> bool:
        return self.network is not None and self.network.num_addresses == 1 and self.network.network_address == ip

    def matches(self, host: str, port: int, ip: IPAddress) -> bool:
        if self.port is not None and self.port != port:
            return False
        if self.network is not None:
            return ip.version == self.network.version and ip in self.network
        return host.lower().rstrip(".") == self.host


def _port(entry: str, text: str) -> int:
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise ValueError(f"{entry!r}: port {text!r} is not a number from 1 to 65535")
    return int(text)


@dataclass(frozen=True)
class Guard:
    """Which non-public addresses a connection may go to: none by default; named hosts, ports and networks
    (``allow``); or every private network (``allow_private``, broad). Metadata addresses only by exact name."""

    allow_private: bool = False
    allow: tuple[AllowEntry, ...] = ()

    @classmethod
    def from_settings(cls, allow_private: bool = False, allow: Iterable[str] = ()) -> Guard:
        return cls(allow_private, tuple(AllowEntry.parse(a) for a in allow))

    def refusal(self, host: str, port: int, address: str) -> str | None:
        """None when a connection to ``address`` (resolved from ``host``) on ``port`` is allowed, else why not."""
        ip = _plain(address)
        if ip in METADATA_ADDRESSES:
            if any(e.names_exactly(ip) and (e.port is None or e.port == port) for e in self.allow):
                return None
            return (f"refused: {host} resolves to non-public address {address}, a cloud metadata address "
                    f"(allowed only when [daemon] allow names {ip} exactly)")
        if is_public_address(address) or self.allow_private:
            return None
        if any(e.matches(host, port, ip) for e in self.allow):
            return None
        return (f"refused: {host} resolves to non-public address {address} (add \"{_entry_hint(host, port, ip)}\" "
                "to [daemon] allow to permit it)")


def _entry_hint(host: str, port: int, ip: IPAddress) -> str:
    return f"[{ip}]:{port}" if ip.version == 6 else f"{ip}:{port}"


class Unresolvable(Exception):
    """The host name could not be resolved (in time)."""


async def checked_addresses(guard: Guard, host: str, port: int, timeout: float | None) -> list[str]:
    """Every address ``host`` resolves to, once each, all allowed by ``guard``: connect to one of these and
    to nothing else. :class:`BlockedAddress` when any is refused, :class:`Unresolvable` when none is found."""
    loop = asyncio.get_running_loop()
    try:
        async with asyncio.timeout(timeout):
            infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, TimeoutError) as exc:
        raise Unresolvable(f"cannot resolve {host}: {exc or 'timed out'}") from exc
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    for address in addresses:
        refused = guard.refusal(host, port, address)
        if refused:
            raise BlockedAddress(refused)
    if not addresses:
        raise Unresolvable(f"cannot resolve {host}: no address")
    return addresses


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """Resolves, checks and connects to the checked address (see module docstring)."""

    def __init__(self, inner: httpcore.AsyncNetworkBackend, guard: Guard) -> None:
        self.inner = inner
        self.guard = guard

    async def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                          local_address: str | None = None,
                          socket_options: Iterable[Any] | None = None) -> httpcore.AsyncNetworkStream:
        try:
            addresses = await checked_addresses(self.guard, host, port, timeout)
        except Unresolvable as exc:
            raise httpcore.ConnectError(str(exc)) from exc
        last: Exception | None = None
        for address in addresses:
            try:
                return _CheapStream(await self.inner.connect_tcp(address, port, timeout, local_address,
                                                               socket_options))
            except httpcore.ConnectError as exc:
                last = exc
        raise last or httpcore.ConnectError(f"no address for {host}")

    async def connect_unix_socket(self, path: str, timeout: float | None = None,
                                  socket_options: Iterable[Any] | None = None) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("unix sockets are not allowed")

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)


def as_guard(allow_private: bool | Guard, allow_addresses: Iterable[str]) -> Guard:
    if isinstance(allow_private, Guard):
        return allow_private
    return Guard.from_settings(allow_private, allow_addresses)


def guarded_transport(allow_private: bool | Guard, allow_addresses: Iterable[str] = (),
                      max_connections: int = 64) -> httpx.AsyncHTTPTransport:
    """An httpx transport whose every connection goes through :class:`GuardedBackend` — for anything that
    leaves the machine (the fetcher, and sinks that POST). ``allow_private`` is a :class:`Guard`, or the
    broad switch (with exact ``allow_addresses``). Its pool is :class:`monitor.httppool.ReservingPool`."""
    transport = httpx.AsyncHTTPTransport(
        limits=httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_connections),
    )
    backend = GuardedBackend(transport._pool._network_backend, as_guard(allow_private, allow_addresses))
    transport._pool = reserving_pool(transport, backend)
    return transport


class _CheapStream(httpcore.AsyncNetworkStream):
    """A connection's stream that answers the pool's "is this idle connection readable?" with one ``poll`` on a
    socket looked up once. httpcore asks it of every idle connection each time a request starts or ends;
    through anyio each answer rebuilt a dict of socket attributes and called ``getpeername`` — the largest
    single cost of the daemon's own work per article. Everything else goes to the wrapped stream."""

    def __init__(self, inner: httpcore.AsyncNetworkStream, sock: socket.socket | None = None) -> None:
        self._inner = inner
        self._sock = sock if sock is not None else inner.get_extra_info("socket")

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return await self._inner.read(max_bytes, timeout)

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        await self._inner.write(buffer, timeout)

    async def aclose(self) -> None:
        await self._inner.aclose()

    async def start_tls(self, ssl_context: Any, server_hostname: str | None = None,
                        timeout: float | None = None) -> httpcore.AsyncNetworkStream:
        return _CheapStream(await self._inner.start_tls(ssl_context, server_hostname, timeout), self._sock)

    def get_extra_info(self, info: str) -> Any:
        if info == "is_readable":
            return _readable(self._sock)
        if info == "socket":
            return self._sock
        return self._inner.get_extra_info(info)


def _readable(sock: socket.socket | None) -> bool:
    """As httpcore's own check: a socket gone, or with bytes (or EOF) waiting, is readable."""
    fd = sock.fileno() if sock is not None else -1
    if fd < 0:
        return True
    poller = select.poll()
    poller.register(fd, select.POLLIN)
    return bool(poller.poll(0))
