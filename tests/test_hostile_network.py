"""Server-side request forgery is refused at the connection: every private, loopback, link-local and
metadata form, host names resolving to them, and redirects leading there. No request in this file leaves
the machine: refused addresses are refused before any connection is opened."""

from __future__ import annotations

import asyncio

import pytest

from monitor.fetch import Fetcher, FetchError, is_public_address

REFUSED = [
    "http://127.0.0.1/", "http://[::1]/", "http://10.0.0.1/", "http://10.255.255.254/", "http://172.16.0.1/",
    "http://172.31.255.1/", "http://192.168.1.1/", "http://169.254.169.254/latest/meta-data/", "http://0.0.0.0/",
    "http://[::ffff:127.0.0.1]/", "http://[::ffff:169.254.169.254]/", "http://2130706433/", "http://0x7f000001/",
    "http://0177.0.0.1/", "http://127.1/", "http://localhost/", "http://[fe80::1]/", "http://[fd00::1]/",
    "http://100.64.0.1/", "http://224.0.0.1/",
]


@pytest.mark.parametrize("url", REFUSED)
def test_private_targets_are_refused_before_connecting(url: str) -> None:
    async def go() -> FetchError:
        async with Fetcher(allow_private=False) as f:
            with pytest.raises(FetchError) as info:
                await f.get(url)
            return info.value

    err = asyncio.run(go())
    assert err.permanent
    # 0177.0.0.1 (octal) is rejected by the URL parser itself; either way nothing is connected to
    assert ("refused:" in err.problem and "non-public address" in err.problem) or "invalid URL" in err.problem


@pytest.mark.parametrize("address", ["8.8.8.8", "1.1.1.1", "2606:4700:4700::1111", "93.184.216.34"])
def test_public_addresses_pass_the_check(address: str) -> None:
    assert is_public_address(address)


@pytest.mark.parametrize("target", ["http://127.0.0.2:{port}/", "http://169.254.169.254/", "http://[::1]:{port}/",
                                    "http://2130706434:{port}/"])
def test_redirects_to_private_targets_are_refused(http_server, target: str) -> None:  # type: ignore[no-untyped-def]
    """The test server itself is let through by exact address; where it redirects is checked like any hop."""
    port = http_server.base.rsplit(":", 1)[1]
    http_server.routes["/hop"] = (302, {"Location": target.format(port=port)}, b"")

    async def go() -> FetchError:
        async with Fetcher(allow_private=False, allow_addresses=frozenset({"127.0.0.1"})) as f:
            with pytest.raises(FetchError) as info:
                await f.get(http_server.url("/hop"))
            return info.value

    err = asyncio.run(go())
    assert "refused:" in err.problem


def test_allowed_when_configured(http_server) -> None:  # type: ignore[no-untyped-def]
    http_server.routes["/ok"] = (200, {"Content-Type": "text/plain"}, b"fine")

    async def go() -> bytes:
        async with Fetcher(allow_private=True) as f:
            return (await f.get(http_server.url("/ok"))).body

    assert asyncio.run(go()) == b"fine"
