"""A hostile news site on loopback: each path answers through a handler that may misbehave."""

from __future__ import annotations

import contextlib
import gzip
import http.server
import threading
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field

Handler = Callable[[http.server.BaseHTTPRequestHandler], None]


def page(title: str, text: str) -> bytes:
    paragraphs = "".join(f"<p>{text} Paragraph {i} of the report.</p>" for i in range(5))
    return (
        f"<html><head><title>{title}</title>"
        '<meta property="article:published_time" content="2023-02-01T02:35:00+09:00"></head>'
        f"<body><nav>Menu</nav><article><h1>{title}</h1>{paragraphs}</article></body></html>"
    ).encode()


def send(h: http.server.BaseHTTPRequestHandler, body: bytes, status: int = 200,
         headers: dict[str, str] | None = None) -> None:  # fmt: skip
    h.send_response(status)
    merged = {"Content-Type": "text/html; charset=utf-8", "Content-Length": str(len(body))}
    for name, value in (merged | (headers or {})).items():
        h.send_header(name, value)
    h.end_headers()
    h.wfile.write(body)


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


@dataclass
class FaultSite:
    host: str = "127.0.0.1"
    routes: dict[str, Handler] = field(default_factory=dict)
    log: list[tuple[float, str]] = field(default_factory=list)

    def start(self) -> FaultSite:
        site = self

        class H(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                site.log.append((time.monotonic(), self.path))
                handler = site.routes.get(self.path) or site.routes.get(self.path.split("?")[0])
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    (handler or (lambda h: send(h, b"not found", 404)))(self)

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer((self.host, 0), H)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    @property
    def base(self) -> str:
        return f"http://{self.host}:{self.server.server_address[1]}"

    def hits(self, path: str) -> list[float]:
        return [t for t, p in self.log if p.split("?")[0] == path]

    def static(self, path: str, body: bytes, status: int = 200, **headers: str) -> None:
        self.routes[path] = lambda h: send(h, body, status, headers)

    def gzip_static(self, path: str, html: bytes) -> None:
        self.static(path, gzip.compress(html), **{"Content-Encoding": "gzip"})
