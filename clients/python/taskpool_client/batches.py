"""Batches on the wire: the request body written while it is sent, and the NDJSON results read back.

A batch of 100,000 inputs is one request. Its body is produced piece by piece from the inputs,
so the client never holds the whole JSON text; its results arrive as one NDJSON line per item.
"""

from __future__ import annotations

import http.client
import json
import socket
import time
from concurrent.futures import TimeoutError as FuturesTimeoutError
from typing import Any, Dict, Iterator, Mapping, Optional, Sequence

from .transport import BodyFactory, Transport

# Pieces of the body handed to the socket at once: large enough that the per-chunk framing does
# not matter, small enough that a piece never costs noticeable memory.
PIECE_BYTES = 64 * 1024

ORDERS = ("input", "completion")


def batch_body(task_type: str, inputs: Sequence[Any], fields: Mapping[str, Any]) -> BodyFactory:
    """The body of ``POST /api/v1/batches`` as pieces, made anew for each attempt to send it.

    ``type`` and the other fields come before ``inputs``: the service checks them before it
    reads any input, so a mistake there is refused at once instead of after the whole upload.
    """
    head = json.dumps({"type": task_type, **fields}, separators=(",", ":"), ensure_ascii=False)
    opening = (head[:-1] + ',"inputs":[').encode()

    def pieces() -> Iterator[bytes]:
        yield opening
        piece = bytearray()
        for position, value in enumerate(inputs):
            if position:
                piece += b","
            piece += json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()
            if len(piece) >= PIECE_BYTES:
                yield bytes(piece)
                piece.clear()
        piece += b"]}"
        yield bytes(piece)

    return pieces


class BatchItems:
    """The items of one batch as the service streams them, in ``input`` or ``completion`` order.

    Iterating yields each item (``index``, ``state``, ``result``, ``error``) once. A stream that
    breaks off is opened again; the service then starts over (input order) or sends the items
    already finished first (completion order), and the items already yielded are skipped. With
    a ``deadline`` (a ``time.monotonic()`` value), waiting past it raises
    ``concurrent.futures.TimeoutError``, as ``Executor.map`` does.
    """

    def __init__(self, transport: Transport, batch_id: str, size: int, order: str = "input",
                 deadline: Optional[float] = None):
        if order not in ORDERS:
            raise ValueError(f"order must be one of {ORDERS}, was {order!r}")
        self._transport = transport
        self._batch_id = batch_id
        self._size = size
        self._order = order
        self._deadline = deadline
        self._yielded: set = set()

    def __iter__(self) -> Iterator[Dict[str, Any]]:
        policy = self._transport.retry
        breaks_in_a_row = 0
        while len(self._yielded) < self._size:
            try:
                for item in self._one_stream():
                    breaks_in_a_row = 0
                    yield item
            except socket.timeout:
                if self._deadline is not None and time.monotonic() >= self._deadline:
                    raise FuturesTimeoutError() from None
                error: Exception = ConnectionError(f"reading the results of batch {self._batch_id} timed out")
            except Exception as failure:
                if not policy.is_transient_error(failure):
                    raise
                error = failure
            else:
                if len(self._yielded) >= self._size:
                    return
                error = ConnectionError(f"the result stream of batch {self._batch_id} ended after "
                                        f"{len(self._yielded)} of {self._size} items")
            breaks_in_a_row += 1
            if not policy.allows(breaks_in_a_row):
                raise error
            policy.pause(breaks_in_a_row)

    def _one_stream(self) -> Iterator[Dict[str, Any]]:
        # Unbounded without a deadline: the service answers only once the first item is ready.
        read_timeout = None if self._deadline is None else self._time_left()
        with self._transport.open_lines(f"/api/v1/batches/{self._batch_id}/results", query={"order": self._order},
                                        read_timeout=read_timeout, deadline=self._deadline) as lines:
            while True:
                line = lines.readline(None if self._deadline is None else self._time_left())
                if not line:
                    return
                if not line.endswith(b"\n"):
                    raise http.client.IncompleteRead(line)  # the stream broke off within a line
                if not line.strip():
                    continue
                item = json.loads(line)
                if item["index"] in self._yielded:
                    continue  # sent again after a reconnect
                self._yielded.add(item["index"])
                yield item

    def _time_left(self) -> float:
        # Never zero: a zero timeout makes the socket non-blocking, and an item that has already
        # arrived must still be returned, as Executor.map returns a result that is ready.
        return max(0.001, self._deadline - time.monotonic())
