"""URL canonicalisation: the same story under tracking parameters or a different case is one article."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

#: Query parameters that track the reader, not the content.
TRACKING_PARAMS = frozenset({
    "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "mc_cid", "mc_eid", "igshid", "yclid", "_ga",
    "_gl", "ocid", "cmpid", "cmp", "ito", "ns_mchannel", "ns_source", "ns_campaign", "ns_linkname", "ns_fee",
    "sr_share", "smid", "smtyp", "at_medium", "at_campaign", "at_custom1", "rss", "ref", "ref_src", "spm",
    "share", "utm",
})


def canonical_url(url: str) -> str:
    """Lower-case scheme and host, no default port, no fragment, no tracking parameters, sorted query."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return url.strip()
    scheme = parts.scheme.lower()
    try:
        port = parts.port
        host = (parts.hostname or "").lower()
        if parts.hostname and ":" in parts.hostname:
            host = f"[{host}]"
        if port and not ((scheme == "http" and port == 80) or (scheme == "https" and port == 443)):
            host = f"{host}:{port}"
    except ValueError:  # a malformed port: keep the network location as written, lower-cased
        host = parts.netloc.rpartition("@")[2].lower()
    query = sorted(
        (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not (k.lower().startswith("utm_") or k.lower() in TRACKING_PARAMS)
    )
    path = parts.path or "/"
    return urlunsplit((scheme, host, path, urlencode(query), ""))
