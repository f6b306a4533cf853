"""Canonical article URLs, and the origins a source's crawl may visit."""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from newswatch.hygiene import url_safe

# Parameters that say how a reader arrived, never which article it is.
_TRACKING = re.compile(
    r"^(utm_\w+|fbclid|gclid|dclid|msclkid|yclid|mc_cid|mc_eid|igshid|_ga|ref_src|"
    r"input|section|cmpid|ocid)$",
    re.IGNORECASE,
)
_DEFAULT_PORTS = {"http": 80, "https": 443}
_WEB = {("http", 80), ("https", 443)}


def canonical_url(href: str, base: str = "") -> str:
    """Absolute, fragment-free, tracking-free URL with a lowercase host.

    Protocol-relative (`//host/...`) and relative links are resolved against `base`;
    parameters that identify an article (such as KBS's `Seq_Code`) are kept in order.
    Control characters are percent-encoded: they never reach the archive or a terminal raw.
    """
    try:
        url = urljoin(base, href.strip()) if base else href.strip()
        parts = urlsplit(url)
        port = parts.port
    except ValueError:  # a bracketed host or a port that is not a number: no URL to follow
        return ""
    host = (parts.hostname or "").lower()
    netloc = host if _port(parts.scheme, port) == _DEFAULT_PORTS.get(parts.scheme) else (
        f"{host}:{port}"
    )  # fmt: skip
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)]
    kept = [(k, v) for k, v in query if not _TRACKING.match(k)]
    path = url_safe(parts.path or "/")
    return urlunsplit((parts.scheme.lower(), netloc, path, urlencode(kept), ""))


def _port(scheme: str, port: int | None) -> int | None:
    return port if port is not None else _DEFAULT_PORTS.get(scheme.lower())


def origin(url: str) -> tuple[str, str, int | None]:
    """(scheme, host, port) of a URL, the port filled in from the scheme when not written."""
    try:
        parts = urlsplit(url)
        return parts.scheme.lower(), (parts.hostname or "").lower(), _port(parts.scheme, parts.port)
    except ValueError:  # a port that is not a number
        return "", "", None


def origins_of(urls: Iterable[str]) -> tuple[str, ...]:
    """The distinct origins ("scheme://host:port") of `urls`, sorted."""
    found = {origin(u) for u in urls}
    return tuple(sorted(f"{s}://{h}:{p}" for s, h, p in found if s and h))


def on_origins(url: str, origins: Iterable[str]) -> bool:
    """True when the URL has the scheme, host and port of one of `origins`.

    A subdomain of a configured host counts (`m.example.com` for `example.com`), on the same
    scheme and port. `http` on port 80 and `https` on port 443 of one host are one site: sites
    move to https and old feeds still link http, and missing those articles would be silent.
    """
    scheme, host, port = origin(url)
    if not host or scheme not in _DEFAULT_PORTS:
        return False
    for allowed in origins:
        a_scheme, a_host, a_port = origin(allowed)
        if host != a_host and not host.endswith("." + a_host):
            continue
        if (scheme, port) == (a_scheme, a_port) or {(scheme, port), (a_scheme, a_port)} == _WEB:
            return True
    return False


def on_domains(url: str, domains: tuple[str, ...]) -> bool:
    """True when the URL's host is one of `domains` or a subdomain of one (any port)."""
    host = (urlsplit(url).hostname or "").lower()
    return any(host == d or host.endswith("." + d) for d in domains)
