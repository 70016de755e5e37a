"""Server-side request forgery is refused at the connection: every private, loopback, link-local and
metadata form, host names resolving to them, and redirects leading there. No request in this file leaves
the machine: refused addresses are refused before any connection is opened."""

from __future__ import annotations

import asyncio

import pytest

from monitor.config import parse_config
from monitor.errors import ConfigError
from monitor.fetch import Fetcher, FetchError, fetcher_for
from monitor.guard import AllowEntry, Guard, is_public_address

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


def _get(fetcher: Fetcher, url: str) -> bytes | FetchError:
    async def go() -> bytes | FetchError:
        async with fetcher as f:
            try:
                return (await f.get(url)).body
            except FetchError as exc:
                return exc

    return asyncio.run(go())


def test_allow_names_one_host_and_port_not_the_rest(http_server) -> None:  # type: ignore[no-untyped-def]
    """allow = ["127.0.0.1:PORT"] opens that port only: another loopback port and the metadata address stay
    refused, before any connection."""
    http_server.routes["/ok"] = (200, {"Content-Type": "text/plain"}, b"fine")
    port = http_server.base.rsplit(":", 1)[1]
    config = parse_config(f'[daemon]\nallow = ["127.0.0.1:{port}"]\n')
    assert _get(fetcher_for(config.daemon), http_server.url("/ok")) == b"fine"
    for url in ("http://127.0.0.1:9/", "http://[::1]:9/", "http://169.254.169.254/latest/meta-data/",
                "http://10.0.0.1/"):
        err = _get(fetcher_for(config.daemon), url)
        assert isinstance(err, FetchError) and "refused:" in err.problem, (url, err)
    assert http_server.hits("/ok") == 1


def test_allow_networks_and_host_names(http_server) -> None:  # type: ignore[no-untyped-def]
    http_server.routes["/ok"] = (200, {"Content-Type": "text/plain"}, b"fine")
    port = http_server.base.rsplit(":", 1)[1]
    for allow in ('["127.0.0.0/8"]', '["localhost"]', f'["localhost:{port}", "10.1.0.0/16"]'):
        daemon = parse_config(f"[daemon]\nallow = {allow}\n").daemon
        assert _get(fetcher_for(daemon), f"http://localhost:{port}/ok") == b"fine", allow
    daemon = parse_config('[daemon]\nallow = ["10.1.0.0/16"]\n').daemon
    err = _get(fetcher_for(daemon), http_server.url("/ok"))
    assert isinstance(err, FetchError) and "127.0.0.1:" in err.problem and "[daemon] allow" in err.problem


@pytest.mark.parametrize("address", ["169.254.169.254", "fd00:ec2::254", "::ffff:169.254.169.254",
                                     "100.100.100.200", "169.254.170.2"])
def test_metadata_addresses_stay_refused_unless_named_exactly(address: str) -> None:
    broad = [Guard(allow_private=True), Guard.from_settings(allow=["169.254.0.0/16", "fd00::/8", "100.64.0.0/10"]),
             Guard.from_settings(True, ["0.0.0.0/0", "::/0"])]
    for guard in broad:
        refused = guard.refusal("metadata.internal", 80, address)
        assert refused is not None and "cloud metadata address" in refused, (guard, address)
    exact = address.removeprefix("::ffff:")
    named = exact if ":" not in exact else f"[{exact}]"
    assert Guard.from_settings(allow=[exact]).refusal("metadata.internal", 80, address) is None
    assert Guard.from_settings(allow=[f"{named}:80"]).refusal("metadata.internal", 80, address) is None
    assert Guard.from_settings(allow=[f"{named}:81"]).refusal("metadata.internal", 80, address) is not None


def test_allow_private_networks_stays_broad_but_not_metadata(http_server) -> None:  # type: ignore[no-untyped-def]
    http_server.routes["/ok"] = (200, {"Content-Type": "text/plain"}, b"fine")
    daemon = parse_config("[daemon]\nallow_private_networks = true\n").daemon
    assert _get(fetcher_for(daemon), http_server.url("/ok")) == b"fine"
    err = _get(fetcher_for(daemon), "http://169.254.169.254/latest/meta-data/")
    assert isinstance(err, FetchError) and "cloud metadata address" in err.problem


@pytest.mark.parametrize(("entry", "problem"), [("bad host", "not a host name"), ("10.0.0.1:99999", "port"),
                                                 ("[::1]x", "[IPv6]:port"), ("10.0.0.0/33", "not a host name")])
def test_bad_allow_entries_name_file_line_and_entry(entry: str, problem: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_config(f'[daemon]\nstate_dir = "s"\nallow = ["{entry}"]\n', "ops.toml")
    message = str(info.value)
    assert message.startswith("ops.toml:3: daemon.allow:") and problem in message and entry in message


def test_allow_entry_forms() -> None:
    assert AllowEntry.parse("[::1]:8080").port == 8080
    assert str(AllowEntry.parse("10.1.0.0/16").network) == "10.1.0.0/16"
    assert AllowEntry.parse("Feeds.Internal:443").host == "feeds.internal"
