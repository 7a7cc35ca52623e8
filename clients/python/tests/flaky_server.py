"""A local HTTP server that fails its first requests in a chosen way, then answers with JSON.

It records every request it receives (method, path, headers, body), so tests can check what
the client sent on each attempt.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Dict, List, Optional


class Recorded:
    def __init__(self, method: str, path: str, headers: Dict[str, str], body: bytes):
        self.method = method
        self.path = path
        self.headers = headers
        self.body = body


class FlakyServer:
    """``failures`` requests fail as ``how`` says, the rest get ``answer`` with status 200.

    ``how``: ``"drop"`` closes the connection without a reply; ``"status"`` answers ``status``
    (with ``problem`` as problem details, and ``retry_after`` as ``Retry-After`` if given).
    """

    def __init__(self, failures: int = 0, how: str = "status", status: int = 503,
                 problem: Optional[Dict[str, Any]] = None, retry_after: Optional[str] = None,
                 answer: Any = None):
        self.failures_left = failures
        self.how = how
        self.status = status
        self.problem = problem if problem is not None else {
            "type": "urn:taskpool:problem:http-503", "title": "Service Unavailable", "status": status,
            "detail": "starting up"}
        self.retry_after = retry_after
        self.answer = answer if answer is not None else {"id": "t-1", "state": "QUEUED"}
        self.requests: List[Recorded] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        # A short poll interval: shutdown() waits for one, once per test.
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.02},
                                        name="flaky-server", daemon=True)

    def __enter__(self) -> "FlakyServer":
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def take_failure(self) -> bool:
        with self._lock:
            if self.failures_left > 0:
                self.failures_left -= 1
                return True
            return False


def _handler_for(flaky: FlakyServer) -> type:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            self._handle()

        def do_POST(self) -> None:
            self._handle()

        def _handle(self) -> None:
            body = self._read_body()
            flaky.requests.append(Recorded(self.command, self.path, dict(self.headers.items()), body))
            if flaky.take_failure():
                if flaky.how == "drop":
                    self.close_connection = True
                    return
                self._reply(flaky.status, flaky.problem, "application/problem+json",
                            {"Retry-After": flaky.retry_after} if flaky.retry_after else {})
                return
            self._reply(200, flaky.answer, "application/json", {})

        def _read_body(self) -> bytes:
            if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                return self._read_chunked()
            return self.rfile.read(int(self.headers.get("Content-Length") or 0))

        def _read_chunked(self) -> bytes:
            body = bytearray()
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip(), 16)
                if size == 0:
                    self.rfile.readline()  # the blank line after the last chunk
                    return bytes(body)
                body += self.rfile.read(size)
                self.rfile.readline()

        def _reply(self, status: int, payload: Any, content_type: str, headers: Dict[str, str]) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            pass  # keep the test output clean

    return Handler
