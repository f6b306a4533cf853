"""Naming what went wrong with a request, and whether trying again can help."""

from __future__ import annotations

from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet import error as net
from twisted.python.failure import Failure
from twisted.web._newclient import ResponseFailed, ResponseNeverReceived

_NETWORK = (
    ((net.DNSLookupError, CannotResolveHostError), "dns"),
    ((net.TimeoutError, net.TCPTimedOutError, DownloadTimeoutError), "timeout"),
    ((net.ConnectionRefusedError, DownloadConnectionRefusedError), "connection_refused"),
    (DownloadCancelledError, "too_large"),  # the download was over max_page_bytes
    (ResponseDataLossError, "connection_lost"),
    ((net.ConnectionLost, net.ConnectionDone, ResponseFailed, ResponseNeverReceived),
     "connection_lost"),
    ((net.ConnectError, DownloadFailedError), "connection"),
)  # fmt: skip


def classify_failure(failure: Failure) -> str:
    """A short kind such as http_503, timeout, dns, robots, too_large."""
    if failure.check(HttpError):
        return f"http_{failure.value.response.status}"
    for types, kind in _NETWORK:
        if failure.check(*(types if isinstance(types, tuple) else (types,))):
            return kind
    if failure.check(IgnoreRequest):
        message = str(failure.value).lower()
        if "redirect" in message:
            return "redirect_loop"
        if "max size" in message or "maxsize" in message or "larger than" in message:
            return "too_large"
        if "robots" in message:
            return "robots"
        if "offsite" in message:
            return "offsite"
        return "ignored"
    message = str(failure.value).lower()
    if "maxsize" in message or "max size" in message or "cancelled" in message:
        return "too_large"
    return type(failure.value).__name__.lower()


def is_permanent(kind: str) -> bool:
    """4xx answers (but 408 and 429) and pages that are not articles will not get better."""
    if kind.startswith("http_"):
        status = int(kind[5:])
        return 400 <= status < 500 and status not in (408, 429)
    return kind in ("not_html", "too_large")
