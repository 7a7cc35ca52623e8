"""The service's endpoints as plain calls that return its JSON (dicts and lists).

``TaskpoolExecutor`` is built on this class; it is public for what the executor does not cover
(following a batch, listing task types) and for the command line.
"""

from __future__ import annotations

import time
import uuid
from typing import Any, Dict, Iterator, List, Optional, Sequence

from .batches import BatchItems, batch_body
from .errors import is_terminal
from .retry import RetryPolicy
from .transport import Transport

#: The longest wait the service accepts for one long poll (``waitMs``), in seconds.
MAX_WAIT = 60.0

# A generous bound on how long the service takes to store one batch input: about five times
# what a 100,000-input batch took on a busy two-core machine. Too short, and a large batch would
# be sent again while the first upload is still being stored.
STORE_SECONDS_PER_INPUT = 0.002


class TaskpoolClient:
    """The taskpool service at ``url`` (``http://host:8080``).

    ``api_key`` is sent as ``Authorization: Bearer <key>``. Every submission carries a fresh
    ``Idempotency-Key``, so a submission cut off by the network is sent again without creating
    a second task or batch; reads and cancels are repeated as they are.
    """

    def __init__(self, url: str, api_key: Optional[str] = None, *, retry: Optional[RetryPolicy] = None,
                 timeout: float = 30.0):
        self.transport = Transport(url, api_key=api_key, retry=retry, timeout=timeout)

    @property
    def url(self) -> str:
        return self.transport.url

    def close(self) -> None:
        """Closes the kept-alive connections; the client stays usable."""
        self.transport.close()

    def __enter__(self) -> "TaskpoolClient":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # ---- tasks ----

    def submit_task(self, task_type: str, input: Any = None, **fields: Any) -> Dict[str, Any]:
        """``POST /api/v1/tasks``: the new task, ``QUEUED``. ``fields`` are the API's own
        (``timeoutMs``, ``priority``, ``labels``, ...) and are sent as they are named."""
        body = {"type": task_type, **fields}
        if input is not None:
            body["input"] = input
        return self.transport.request("POST", "/api/v1/tasks", json_body=body, idempotent=True,
                                      headers=_fresh_idempotency_key()).json()

    def get_task(self, task_id: str, wait: float = 0.0) -> Dict[str, Any]:
        """``GET /api/v1/tasks/{id}``; with ``wait`` (seconds, at most 60) a long poll that
        answers as soon as the task is terminal."""
        wait_ms = _wait_ms(wait)
        return self.transport.request("GET", f"/api/v1/tasks/{task_id}", query={"waitMs": wait_ms or None},
                                      idempotent=True, timeout=self.transport.timeout + wait_ms / 1000).json()

    def wait_for_task(self, task_id: str, timeout: Optional[float] = None) -> Dict[str, Any]:
        """The task once it is terminal, or as it is when ``timeout`` seconds have passed."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            wait = MAX_WAIT if deadline is None else min(MAX_WAIT, deadline - time.monotonic())
            task = self.get_task(task_id, wait=max(0.0, wait))
            if is_terminal(task["state"]) or (deadline is not None and time.monotonic() >= deadline):
                return task

    def cancel_task(self, task_id: str) -> Dict[str, Any]:
        """``POST /api/v1/tasks/{id}/cancel``: the task once it has ended ``CANCELLED``.

        Repeating a cancel is harmless (a repeat finds the task terminal: ``409``), so it is
        retried like a read.
        """
        return self.transport.request("POST", f"/api/v1/tasks/{task_id}/cancel", idempotent=True,
                                      timeout=self.transport.timeout + MAX_WAIT).json()

    def task_types(self) -> List[Dict[str, Any]]:
        return self.transport.request("GET", "/api/v1/task-types", idempotent=True).json()

    # ---- batches ----

    def submit_batch(self, task_type: str, inputs: Sequence[Any], **fields: Any) -> Dict[str, Any]:
        """``POST /api/v1/batches``: one request for every input, its body streamed."""
        # The answer comes once every item is stored, which takes longer the more there are.
        timeout = self.transport.timeout + len(inputs) * STORE_SECONDS_PER_INPUT
        return self.transport.request("POST", "/api/v1/batches", body=batch_body(task_type, inputs, fields),
                                      idempotent=True, headers=_fresh_idempotency_key(), timeout=timeout).json()

    def get_batch(self, batch_id: str, wait: float = 0.0) -> Dict[str, Any]:
        wait_ms = _wait_ms(wait)
        return self.transport.request("GET", f"/api/v1/batches/{batch_id}", query={"waitMs": wait_ms or None},
                                      idempotent=True, timeout=self.transport.timeout + wait_ms / 1000).json()

    def wait_for_batch(self, batch_id: str) -> Dict[str, Any]:
        """The batch once every item is terminal."""
        while True:
            batch = self.get_batch(batch_id, wait=MAX_WAIT)
            if batch["state"] != "RUNNING":
                return batch

    def cancel_batch(self, batch_id: str) -> Dict[str, Any]:
        return self.transport.request("POST", f"/api/v1/batches/{batch_id}/cancel", idempotent=True,
                                      timeout=self.transport.timeout + MAX_WAIT).json()

    def batch_items(self, batch_id: str, size: int, order: str = "input",
                    deadline: Optional[float] = None) -> Iterator[Dict[str, Any]]:
        """The batch's items as NDJSON streams them (``order``: ``input`` or ``completion``)."""
        return iter(BatchItems(self.transport, batch_id, size, order, deadline))


def _fresh_idempotency_key() -> Dict[str, str]:
    # One key per submission, kept across its retries: a repeat the service already stored
    # returns the first task instead of queueing a second one.
    return {"Idempotency-Key": str(uuid.uuid4())}


def _wait_ms(wait: float) -> int:
    return int(min(MAX_WAIT, max(0.0, wait)) * 1000)
