"""A controllable loopback HTTP server that imitates a Go pprof endpoint (test helper).

`FakeTarget().start()` serves on 127.0.0.1:0; set `routes[path?query] = Reply(...)` or
`mode` to change behaviour mid-test; `hits` counts requests per path?query.
"""

from __future__ import annotations

import gzip
import socket
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def index_html(goroutines: int = 12, extra: dict[str, int] | None = None) -> bytes:
    rows = {"allocs": 5, "goroutine": goroutines, "heap": 3, "cmdline": 0, **(extra or {})}
    body = "".join(f"<tr><td>{n}</td><td><a href='{k}?debug=1'>{k}</a></td></tr>\n" for k, n in rows.items())
    return (
        f"<html><head><title>/debug/pprof/</title></head><body>/debug/pprof/<br>"
        f"Types of profiles available:<table>{body}</table></body></html>"
    ).encode()


def memstats_text(total_alloc: int = 1000, num_gc: int = 3, stack: int = 65536, heap_inuse: int = 4096) -> bytes:
    return (
        f"heap profile: 1: 8 [2: 16] @ heap/1048576\n1: 8 [2: 16] @ 0x1\n\n# runtime.MemStats\n"
        f"# Alloc = 100\n# TotalAlloc = {total_alloc}\n# Sys = 9999\n# HeapInuse = {heap_inuse}\n"
        f"# Stack = {stack} / {stack * 2}\n# NumGC = {num_gc}\n# GCCPUFraction = 0.001\n"
    ).encode()


GOROUTINE_DEBUG1 = b"goroutine profile: total 2\n1 @ 0x1\n#\t0x1\tmain.main+0x1\t/m.go:1\n\n"
GOROUTINE_DEBUG2 = (
    b"goroutine 1 [running]:\nruntime/pprof.writeGoroutineStacks()\n\t/x.go:1 +0x1\n\n"
    b"goroutine 7 [chan send, 3 minutes]:\nmain.leak()\n\t/m.go:9 +0x2\n"
    b"created by main.start in goroutine 1\n\t/m.go:3 +0x3\n"
)
HEAP_PROTO_GZ = gzip.compress(b"\x0a\x04\x08\x01\x10\x02" + b"\x00" * 32)


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # before the status line
    drip: float = 0.0  # seconds between single bytes of the body
    declared_length: int | None = None  # Content-Length to send (None = real length)
    close_after: int | None = None  # send only this many body bytes then close


def default_routes(goroutines: int = 12, cmdline: bytes = b"/srv/app\x00-port=1") -> dict[str, Reply]:
    return {
        "/debug/pprof/": Reply(body=index_html(goroutines), headers={"Content-Type": "text/html"}),
        "/debug/pprof/cmdline": Reply(body=cmdline),
        "/debug/pprof/heap?debug=1": Reply(body=memstats_text()),
        "/debug/pprof/heap": Reply(body=HEAP_PROTO_GZ, headers={"Content-Type": "application/octet-stream"}),
        "/debug/pprof/goroutine?debug=1": Reply(body=GOROUTINE_DEBUG1),
        "/debug/pprof/goroutine?debug=2": Reply(body=GOROUTINE_DEBUG2),
    }


class FakeTarget:
    def __init__(self, routes: dict[str, Reply] | None = None) -> None:
        self.routes = routes if routes is not None else default_routes()
        self.override: Reply | None = None  # answer every path with this
        self.hits: Counter[str] = Counter()
        self.times: dict[str, list[float]] = {}  # path?query -> time.monotonic() of each request
        self.headers_seen: list[dict[str, str]] = []
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._conns: set[socket.socket] = set()
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, port: int = 0) -> FakeTarget:
        target = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def setup(self) -> None:
                super().setup()
                target._conns.add(self.connection)

            def finish(self) -> None:
                target._conns.discard(self.connection)
                super().finish()

            def do_GET(self) -> None:
                target.hits[self.path] += 1
                target.times.setdefault(self.path, []).append(time.monotonic())
                target.headers_seen.append(dict(self.headers))
                reply = target.override or target.routes.get(self.path) or Reply(404, b"404 page not found\n")
                try:
                    target._send(self, reply)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        class Server(ThreadingHTTPServer):
            allow_reuse_address = True
            daemon_threads = True

            def handle_error(self, request: object, client_address: object) -> None:
                pass  # clients that give up mid-answer are the point of these tests

        self._server = Server(("127.0.0.1", port), Handler)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()
        return self

    @staticmethod
    def _send(h: BaseHTTPRequestHandler, r: Reply) -> None:
        if r.delay:
            time.sleep(r.delay)
        h.send_response(r.status)
        for k, v in r.headers.items():
            h.send_header(k, v)
        length = len(r.body) if r.declared_length is None else r.declared_length
        h.send_header("Content-Length", str(length))
        if r.close_after is not None:
            h.send_header("Connection", "close")
        h.end_headers()
        body = r.body if r.close_after is None else r.body[: r.close_after]
        if r.drip:
            for i in range(len(body)):
                h.wfile.write(body[i : i + 1])
                h.wfile.flush()
                time.sleep(r.drip)
        else:
            h.wfile.write(body)
        if r.close_after is not None:
            h.close_connection = True

    def stop(self) -> None:
        """Like a process dying: stop listening and drop every open connection."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        for conn in list(self._conns):
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            conn.close()
        self._conns.clear()
