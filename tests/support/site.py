"""FixtureSite: the one test HTTP server, a real server on a loopback address.

    with FixtureSite() as site:
        site.set("/news/1", "<html>...</html>")
        site.set("/view/A1", page, fail_times=3)   # 500 three times, then the page
        site.handle("/view/A2", drip)              # a handler that misbehaves (see hostile.py)
        ... crawl site.base ...
        assert site.count("/view/A1") == 1

The server binds port 0 itself (the kernel picks a free port; nothing is picked and released),
and a restart after stop() binds that same port again. Routes are looked up by the request's
path with its query string first, then by the path alone; anything else is a 404. A route is
either a canned `Route` or a handler `fn(request_handler)` that writes the answer itself. Every
request is logged (path with query string, headers, monotonic time, in order). The server is
quiet: nothing is written to stderr.
"""

from __future__ import annotations

import contextlib
import http.server
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

Handler = Callable[[http.server.BaseHTTPRequestHandler], None]


@dataclass
class Route:
    """What one path answers. `fail_times`: answer 500 that many times first, then normally."""

    body: bytes = b""
    status: int = 200
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    fail_times: int = 0
    delay: float = 0.0  # seconds to wait before answering
    failed: int = field(default=0, compare=False)  # 500s already given


@dataclass(frozen=True)
class Hit:
    method: str
    path: str  # with the query string, as sent
    headers: dict[str, str]
    at: float = 0.0  # time.monotonic() when the request was read


def send(h: http.server.BaseHTTPRequestHandler, body: bytes, status: int = 200,
         headers: dict[str, str] | None = None, send_body: bool = True) -> None:  # fmt: skip
    """Answer on `h`: `headers` add to (or replace) Content-Type and Content-Length."""
    merged = {"Content-Type": "text/html; charset=utf-8", "Content-Length": str(len(body))}
    h.send_response(status)
    for name, value in (merged | (headers or {})).items():
        h.send_header(name, value)
    h.end_headers()
    if send_body:
        h.wfile.write(body)


class _Handler(http.server.BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.0"  # one request per connection: nothing lingers at shutdown

    def do_GET(self) -> None:  # noqa: N802
        self._answer(send_body=True)

    def do_HEAD(self) -> None:  # noqa: N802
        self._answer(send_body=False)

    def _answer(self, send_body: bool) -> None:
        route = self.server.site._take(self.command, self.path, dict(self.headers.items()))
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            if callable(route):
                route(self)
                return
            if route.delay:
                time.sleep(route.delay)
            headers = {"Content-Type": route.content_type, **route.headers}
            send(self, route.body, route.status, headers, send_body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - quiet
        pass


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True  # a restart binds the same port again at once
    site: FixtureSite

    def handle_error(self, request: object, client_address: object) -> None:  # quiet
        pass


_NOT_FOUND = Route(body=b"<html><body><h1>Not found</h1></body></html>", status=404)
_FAILURE = Route(body=b"<html><body><h1>Internal server error</h1></body></html>", status=500)


class FixtureSite:
    """A threaded HTTP server on `host` (port 0: the kernel's choice) serving `routes`."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.host = host
        self._port = port
        self.routes: dict[str, Route | Handler] = {}
        self.hits: list[Hit] = []
        self._lock = threading.Lock()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -----------------------------------------------------------------------------
    def start(self) -> FixtureSite:
        if self._server is not None:
            return self
        server = _Server((self.host, self._port), _Handler)
        server.site = self
        self._server = server
        self._port = server.server_address[1]
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"FixtureSite {self.host}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        server, thread = self._server, self._thread
        self._server = self._thread = None
        if server is None:
            return
        server.shutdown()
        server.server_close()
        if thread is not None:
            thread.join(timeout=5)

    def __enter__(self) -> FixtureSite:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if not self._port:
            raise RuntimeError("FixtureSite was never started: no port yet")
        return self._port

    @property
    def netloc(self) -> str:
        """ "127.0.0.1:PORT": what protocol-relative links (//HOST:PORT/...) use."""
        return f"{self.host}:{self.port}"

    @property
    def base(self) -> str:
        """ "http://127.0.0.1:PORT", no trailing slash."""
        return f"http://{self.netloc}"

    def url(self, path: str) -> str:
        return self.base + path

    # -- routes --------------------------------------------------------------------------------
    def set(self, path: str, body: bytes | str = b"", **kw: object) -> Route:
        """Serve `body` (str is encoded as UTF-8) at `path`; kw are Route fields."""
        if isinstance(body, str):
            body = body.encode("utf-8")
        route = Route(body=body, **kw)  # type: ignore[arg-type]
        with self._lock:
            self.routes[path] = route
        return route

    def handle(self, path: str, handler: Handler) -> None:
        """Answer `path` with `handler(request_handler)`, which writes the response itself."""
        with self._lock:
            self.routes[path] = handler

    def update(self, path: str, **fields: object) -> Route:
        """Change fields of an existing route in place, e.g. update("/x", delay=3)."""
        with self._lock:
            route = self.routes[path]
            if callable(route):
                raise TypeError(f"{path} is answered by a handler, not a Route")
            for name, value in fields.items():
                if name not in Route.__dataclass_fields__:
                    raise TypeError(f"Route has no field {name!r}")
                setattr(route, name, value)
            return route

    def remove(self, path: str) -> None:
        with self._lock:
            self.routes.pop(path, None)

    def fail(self, path: str, times: int) -> None:
        """Make an existing route answer 500 `times` more times, then normally again."""
        route = self.update(path)
        with self._lock:
            route.fail_times, route.failed = times, 0

    def _take(self, method: str, raw_path: str, headers: dict[str, str]) -> Route | Handler:
        with self._lock:
            self.hits.append(Hit(method, raw_path, headers, time.monotonic()))
            route = self.routes.get(raw_path)
            if route is None:
                route = self.routes.get(urlsplit(raw_path).path)
            if route is None:
                return _NOT_FOUND
            if callable(route):
                return route
            if route.failed < route.fail_times:
                route.failed += 1
                return _FAILURE
            return route

    # -- request log ---------------------------------------------------------------------------
    @property
    def requests(self) -> list[str]:
        """Paths requested so far (with query strings), in order."""
        with self._lock:
            return [hit.path for hit in self.hits]

    def paths(self) -> list[str]:
        """Paths requested so far without their query strings, in order."""
        return [urlsplit(p).path for p in self.requests]

    def count(self, path_prefix: str) -> int:
        """How many requests had a path (with query string) starting with `path_prefix`."""
        return sum(1 for p in self.requests if p.startswith(path_prefix))

    def times(self, path: str) -> list[float]:
        """When `path` (query string ignored) was requested: monotonic seconds, in order."""
        with self._lock:
            return [hit.at for hit in self.hits if urlsplit(hit.path).path == path]

    def clear_log(self) -> None:
        with self._lock:
            self.hits.clear()

    def __repr__(self) -> str:
        state = self.base if self._server is not None else "stopped"
        return f"<FixtureSite {state} routes={len(self.routes)} requests={len(self.hits)}>"


@contextlib.contextmanager
def closed_port(host: str = "127.0.0.1"):  # noqa: ANN201 - a context manager of int
    """A port bound but never listened on, held for the block: connecting is refused at once,
    and no other server can take the port meanwhile."""
    with socket.socket() as held:
        held.bind((host, 0))
        yield held.getsockname()[1]
