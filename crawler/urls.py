"""Canonical article URLs: one spelling per article, whatever link led to it."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

# Parameters that say how a reader arrived, never which article it is.
_TRACKING = re.compile(
    r"^(utm_\w+|fbclid|gclid|dclid|msclkid|yclid|mc_cid|mc_eid|igshid|_ga|ref_src|"
    r"input|section|cmpid|ocid)$",
    re.IGNORECASE,
)


def canonical_url(href: str, base: str = "") -> str:
    """Absolute, fragment-free, tracking-free URL with a lowercase host.

    Protocol-relative (`//host/...`) and relative links are resolved against `base`;
    parameters that identify an article (such as KBS's `Seq_Code`) are kept in order.
    """
    url = urljoin(base, href.strip()) if base else href.strip()
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    netloc = (
        host
        if parts.port is None or _default_port(parts.scheme, parts.port)
        else (f"{host}:{parts.port}")
    )
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)]
    kept = [(k, v) for k, v in query if not _TRACKING.match(k)]
    path = parts.path or "/"
    return urlunsplit((parts.scheme.lower(), netloc, path, urlencode(kept), ""))


def _default_port(scheme: str, port: int) -> bool:
    return (scheme, port) in (("http", 80), ("https", 443))


def on_domains(url: str, domains: tuple[str, ...]) -> bool:
    """True when the URL's host is one of `domains` or a subdomain of one."""
    host = (urlsplit(url).hostname or "").lower()
    return any(host == d or host.endswith("." + d) for d in domains)
