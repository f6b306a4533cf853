"""Pages and handlers for a FixtureSite that misbehaves: slow, silent, huge or compressed."""

from __future__ import annotations

import http.server
import time
import zlib

from support.site import send


def page(title: str, text: str) -> bytes:
    """A small generic article page (no site profile) with a publication date."""
    paragraphs = "".join(f"<p>{text} Paragraph {i} of the report.</p>" for i in range(5))
    return (
        f"<html><head><title>{title}</title>"
        '<meta property="article:published_time" content="2023-02-01T02:35:00+09:00"></head>'
        f"<body><nav>Menu</nav><article><h1>{title}</h1>{paragraphs}</article></body></html>"
    ).encode()


def drip(h: http.server.BaseHTTPRequestHandler) -> None:
    """One byte a second, for a minute."""
    h.send_response(200)
    h.send_header("Content-Type", "text/html")
    h.send_header("Content-Length", "60")
    h.end_headers()
    for _ in range(60):
        h.wfile.write(b"x")
        h.wfile.flush()
        time.sleep(1)


def silent(h: http.server.BaseHTTPRequestHandler) -> None:
    """Accepts and never answers (a read timeout)."""
    time.sleep(60)


def gzip_bomb(megabytes: int) -> bytes:
    """`megabytes` MB of zeros, gzip-compressed to about 1/1000 of that."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    chunk = bytes(1 << 20)
    return b"".join([*(packer.compress(chunk) for _ in range(megabytes)), packer.flush()])


def redirect(location: str):  # noqa: ANN201 - a handler
    return lambda h: send(h, b"", 302, {"Location": location})
