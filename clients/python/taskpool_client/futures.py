"""``TaskFuture``: a ``concurrent.futures.Future`` whose work runs in the service.

The future stays *pending* until its task is terminal; it is then completed with the task's
result or failure, or cancelled. Two things complete it: the executor's pollers, so that
callbacks, ``wait`` and ``as_completed`` work, and a caller blocked in ``result()``, which
long-polls the task itself instead of waiting for its turn with the pollers.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import Future
from typing import Any, Dict, Optional

from .client import MAX_WAIT, TaskpoolClient
from .errors import TaskpoolError, failure_of, is_terminal


class TaskFuture(Future):
    """The future of one task; ``task_id`` names it, ``state`` is its state as last seen."""

    def __init__(self, client: TaskpoolClient, task: Dict[str, Any]):
        super().__init__()
        self.task_id: str = task["id"]
        self.state: str = task["state"]
        self._client = client
        # Serialises the moves out of PENDING: a poller and a caller may see the end of the task
        # at the same moment, and the base class refuses to complete a future twice.
        self._settling = threading.Lock()

    def result(self, timeout: Optional[float] = None) -> Any:
        self._follow(timeout)
        return super().result(timeout=0)

    def exception(self, timeout: Optional[float] = None) -> Optional[BaseException]:
        self._follow(timeout)
        return super().exception(timeout=0)

    def cancel(self) -> bool:
        """Cancels the task in the service, queued or running; ``True`` once it is ``CANCELLED``.

        A running task is stopped first, so this waits up to the service's cancel grace. A task
        that had already ended another way completes the future with that outcome instead, and
        the answer is ``False``, as for a future that has finished.
        """
        if self.done():
            return self.cancelled()
        try:
            task = self._client.cancel_task(self.task_id)
        except TaskpoolError as problem:
            if problem.status != 409:
                raise
            task = self._client.get_task(self.task_id)  # already terminal: learn how it ended
        self.absorb(task)
        return self.cancelled()

    # ---- for the executor and its pollers ----

    def absorb(self, task: Dict[str, Any]) -> None:
        """Takes in the task as the service last reported it; a terminal one completes the future."""
        self.state = task["state"]
        if not is_terminal(self.state):
            return
        with self._settling:
            if self.done():
                return
            if self.state == "CANCELLED":
                # Future.cancel() moves PENDING to CANCELLED and runs the callbacks;
                # set_running_or_notify_cancel() then wakes wait() and as_completed(), which
                # only learn of a cancel that way.
                super().cancel()
                self.set_running_or_notify_cancel()
                return
            failure = failure_of(task)
            if failure is None:
                self.set_result(task.get("result"))
            else:
                self.set_exception(failure)

    def fail(self, error: BaseException) -> None:
        """Completes the future with an error that ends any hope of an outcome (the task is gone)."""
        with self._settling:
            if not self.done():
                self.set_exception(error)

    # ---- internals ----

    def _follow(self, timeout: Optional[float]) -> None:
        """Long-polls the task until the future is done or ``timeout`` seconds have passed."""
        deadline = None if timeout is None else time.monotonic() + timeout
        polled = False
        while not self.done():
            wait = MAX_WAIT if deadline is None else min(MAX_WAIT, deadline - time.monotonic())
            if wait <= 0 and polled:
                return
            polled = True  # even result(timeout=0) looks once: the task may have ended unseen
            try:
                task = self._client.get_task(self.task_id, wait=max(0.0, wait))
            except TaskpoolError as problem:
                if problem.status == 404:
                    self.fail(problem)
                    return
                raise
            self.absorb(task)

    def __repr__(self) -> str:
        return f"<TaskFuture task {self.task_id} {self.state}>"
