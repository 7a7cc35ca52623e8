"""HTTP exchanges with one taskpool service.

Requests go out on kept-alive connections, one per thread, because ``http.client`` connections
are not thread-safe and a new TCP connection per call would dominate the cost of small tasks.
A response with an error status becomes a ``TaskpoolError``; a network failure or a transient
status is retried under the ``RetryPolicy`` when the caller says the request may be repeated.
"""

from __future__ import annotations

import http
import http.client
import json
import socket
import threading
import time
import urllib.parse
import weakref
from typing import Any, Callable, Iterable, Mapping, Optional, Union

from .version import __version__
from .errors import TaskpoolError
from .retry import NO_RETRY, RetryPolicy

JSON = "application/json"
NDJSON = "application/x-ndjson"

#: A body sent as chunks; called anew for every attempt, since a generator cannot be replayed.
BodyFactory = Callable[[], Iterable[bytes]]


class Response:
    """A response read in full."""

    def __init__(self, status: int, reason: str, headers: http.client.HTTPMessage, data: bytes):
        self.status = status
        self.reason = reason
        self.headers = headers
        self.data = data

    def json(self) -> Any:
        return json.loads(self.data) if self.data else None


class LineStream:
    """An open response read line by line (NDJSON), on a connection of its own."""

    def __init__(self, connection: http.client.HTTPConnection, sock: socket.socket,
                 response: http.client.HTTPResponse):
        self._connection = connection
        self._sock = sock
        self._response = response

    def readline(self, timeout: Optional[float] = None) -> bytes:
        """The next line, ``b""`` at the end; ``socket.timeout`` if none comes within ``timeout``."""
        self._sock.settimeout(timeout)
        return self._response.readline()

    def close(self) -> None:
        self._response.close()
        self._connection.close()

    def __enter__(self) -> "LineStream":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class Transport:
    """The service at ``url``: JSON over HTTP, with ``api_key`` as a bearer token if given.

    ``timeout`` bounds every wait on the network in seconds; a long poll adds its own wait time.
    """

    def __init__(self, url: str, api_key: Optional[str] = None, retry: Optional[RetryPolicy] = None,
                 timeout: float = 30.0):
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"the service URL must be http:// or https:// with a host, was {url!r}")
        self.url = url
        self._https = parts.scheme == "https"
        self._host = parts.hostname
        self._port = parts.port
        self._base_path = parts.path.rstrip("/")
        self._api_key = api_key
        self.retry = retry if retry is not None else RetryPolicy()
        self.timeout = timeout
        self._local = threading.local()
        self._lock = threading.Lock()
        # Weak: a connection whose thread has ended goes away with the thread's local storage.
        self._connections: "weakref.WeakSet[http.client.HTTPConnection]" = weakref.WeakSet()

    # ---- requests ----

    def request(self, method: str, path: str, *, query: Optional[Mapping[str, Any]] = None,
                json_body: Any = None, body: Optional[BodyFactory] = None,
                headers: Optional[Mapping[str, str]] = None, idempotent: bool,
                timeout: Optional[float] = None) -> Response:
        """Sends a request and reads its response; raises ``TaskpoolError`` for an error status.

        ``json_body`` is sent as JSON; ``body`` as a chunked stream. Only an ``idempotent``
        request is retried: repeating it cannot do anything twice.
        """
        target = self._target(path, query)
        all_headers = self._headers(headers, has_body=json_body is not None or body is not None)
        if json_body is not None:
            encoded = json.dumps(json_body, separators=(",", ":"), ensure_ascii=False).encode()
            payload: Callable[[], Union[bytes, Iterable[bytes], None]] = lambda: encoded
        elif body is not None:
            payload = body
        else:
            payload = lambda: None
        wait = self.timeout if timeout is None else timeout

        def send_once() -> Response:
            connection = self._thread_connection()
            try:
                response, _ = self._exchange(connection, method, target, payload(), all_headers, wait)
                data = response.read()
            except BaseException:
                self.close_thread_connection()
                raise
            return Response(response.status, response.reason, response.headers, data)

        return self._with_retries(send_once, idempotent)

    def open_lines(self, path: str, *, query: Optional[Mapping[str, Any]] = None, accept: str = NDJSON,
                   read_timeout: Optional[float] = None, deadline: Optional[float] = None) -> LineStream:
        """Opens a GET whose body is read line by line as it arrives; retried like any GET.

        ``read_timeout`` bounds the wait for the answer (``None``: no bound), since the service
        may send nothing, not even the status line, until the first line is ready. Past
        ``deadline`` (a ``time.monotonic()`` value) a failure is raised, not retried.
        """
        target = self._target(path, query)
        all_headers = self._headers({"Accept": accept}, has_body=False)

        def send_once() -> Union[Response, LineStream]:
            connection = self._connect(self.timeout)
            try:
                connection.connect()
                # TCP keep-alive: a dead peer is noticed even while no line is due for hours.
                connection.sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
                response, sock = self._exchange(connection, "GET", target, None, all_headers, read_timeout)
                if response.status >= 300:
                    data = response.read()
                    connection.close()
                    return Response(response.status, response.reason, response.headers, data)
            except BaseException:
                connection.close()
                raise
            return LineStream(connection, sock, response)

        return self._with_retries(send_once, idempotent=True, deadline=deadline)

    # ---- retries ----

    def _with_retries(self, send_once: Callable[[], Any], idempotent: bool,
                      deadline: Optional[float] = None) -> Any:
        policy = self.retry if idempotent else NO_RETRY

        def may_retry(attempt: int) -> bool:
            return policy.allows(attempt) and (deadline is None or time.monotonic() < deadline)

        attempt = 0
        while True:
            attempt += 1
            try:
                outcome = send_once()
            except Exception as error:
                if may_retry(attempt) and policy.is_transient_error(error):
                    policy.pause(attempt)
                    continue
                raise
            if not isinstance(outcome, Response) or outcome.status < 300:
                return outcome
            problem = problem_of(outcome)
            if may_retry(attempt) and policy.is_transient_status(problem.status, problem.type):
                policy.pause(attempt, retry_after_of(outcome))
                continue
            raise problem

    # ---- connections ----

    def _exchange(self, connection: http.client.HTTPConnection, method: str, target: str,
                  body: Union[bytes, Iterable[bytes], None], headers: Mapping[str, str],
                  timeout: Optional[float]) -> "tuple[http.client.HTTPResponse, socket.socket]":
        connection.timeout = timeout
        if connection.sock is not None:
            connection.sock.settimeout(timeout)
        try:
            connection.request(method, target, body=body, headers=dict(headers))
        except (BrokenPipeError, ConnectionResetError) as cut_off:
            # The service may have answered before reading the whole body (a batch refused after
            # its first fields) and stopped reading; its answer says more than the broken pipe.
            try:
                sock = connection.sock
                return connection.getresponse(), sock
            except Exception:
                raise cut_off from None
        # Taken before getresponse(): a "Connection: close" reply detaches it from the connection.
        sock = connection.sock
        return connection.getresponse(), sock

    def _connect(self, timeout: Optional[float]) -> http.client.HTTPConnection:
        if self._https:
            return http.client.HTTPSConnection(self._host, self._port, timeout=timeout)
        return http.client.HTTPConnection(self._host, self._port, timeout=timeout)

    def _thread_connection(self) -> http.client.HTTPConnection:
        connection = getattr(self._local, "connection", None)
        if connection is None:
            connection = self._local.connection = self._connect(self.timeout)
            with self._lock:
                self._connections.add(connection)
        return connection

    def close_thread_connection(self) -> None:
        """Closes this thread's connection: after a failed exchange, whose state is then unknown,
        and when a thread that made requests ends. The thread's next request opens a new one."""
        connection = getattr(self._local, "connection", None)
        self._local.connection = None
        if connection is not None:
            with self._lock:
                self._connections.discard(connection)
            connection.close()

    def close(self) -> None:
        """Closes the kept-alive connections of every thread. A later request opens a new one."""
        with self._lock:
            connections = list(self._connections)
        for connection in connections:
            connection.close()  # http.client reconnects on the next request

    def _target(self, path: str, query: Optional[Mapping[str, Any]]) -> str:
        target = self._base_path + path
        if query:
            present = {name: value for name, value in query.items() if value is not None}
            if present:
                target += "?" + urllib.parse.urlencode(present)
        return target

    def _headers(self, extra: Optional[Mapping[str, str]], has_body: bool) -> "dict[str, str]":
        headers = {"Accept": JSON, "User-Agent": f"taskpool-client-python/{__version__}"}
        if has_body:
            headers["Content-Type"] = JSON
        if self._api_key:
            headers["Authorization"] = f"Bearer {self._api_key}"
        headers.update(extra or {})
        return headers


def problem_of(response: Response) -> TaskpoolError:
    """The ``TaskpoolError`` for an error response, from its problem details when it has them."""
    reason = response.reason or _standard_phrase(response.status)
    try:
        fields = json.loads(response.data) if response.data else None
    except ValueError:
        fields = None
    if isinstance(fields, dict) and ("title" in fields or "type" in fields):
        return TaskpoolError(response.status, fields.get("title") or reason, fields.get("detail"),
                             fields.get("type"), fields)
    # Not a problem: typically a proxy's error page. Its first line is the best detail there is.
    text = response.data.decode("utf-8", "replace").strip()
    return TaskpoolError(response.status, reason, text.splitlines()[0][:500] if text else None)


def retry_after_of(response: Response) -> Optional[float]:
    value = response.headers.get("Retry-After")
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None  # an HTTP date: rare enough to fall back on the back-off alone


def _standard_phrase(status: int) -> str:
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return "HTTP error"
