"""``TaskpoolExecutor``: the ``concurrent.futures.Executor`` whose workers are a taskpool service."""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections import abc
from concurrent import futures
from typing import Any, Callable, Dict, Iterable, Iterator, Optional

from .client import TaskpoolClient
from .errors import TaskpoolError, value_of
from .futures import TaskFuture
from .pollers import ResultPoller
from .retry import RetryPolicy

log = logging.getLogger("taskpool_client")


class TaskpoolExecutor(futures.Executor):
    """Runs tasks in the taskpool service at ``url``, the way a process pool runs functions.

    ``submit(task_type, input)`` sends one task and returns its future; ``map`` and
    ``imap_unordered`` send all their inputs as one batch and stream the results back.
    ``default_timeout`` (seconds) is the time limit of every task this executor sends without
    a ``timeoutMs`` of its own; without it the service's default applies.

    Up to ``max_pollers`` background threads long-poll the tasks of pending futures, so that
    callbacks, ``concurrent.futures.wait`` and ``as_completed`` see them finish. ``retry`` says
    how network failures are retried; ``request_timeout`` bounds each wait on the network.
    """

    def __init__(self, url: str, api_key: Optional[str] = None, default_timeout: Optional[float] = None, *,
                 max_pollers: int = 4, retry: Optional[RetryPolicy] = None, request_timeout: float = 30.0):
        if default_timeout is not None and default_timeout <= 0:
            raise ValueError("default_timeout must be positive")
        self.client = TaskpoolClient(url, api_key, retry=retry, timeout=request_timeout)
        self._default_timeout_ms = None if default_timeout is None else max(1, round(default_timeout * 1000))
        self._poller = ResultPoller(self.client, max_pollers)
        self._lock = threading.Lock()
        self._submissions_done = threading.Condition(self._lock)
        self._submitting = 0
        self._shut_down = False
        self._pending: "set[TaskFuture]" = set()
        self._open_batches: "set[str]" = set()

    # ---- single tasks ----

    def submit(self, task_type: str, input: Any = None, **options: Any) -> TaskFuture:
        """Sends a task and returns its future once the service has stored it.

        ``options`` are the API's submission fields, under their own names (``timeoutMs``,
        ``priority``, ``labels``, ...); any other name is sent as well, so fields newer than
        this client work. A submission the service refuses raises ``TaskpoolError`` here.
        """
        with self._submission():
            task = self.client.submit_task(task_type, input, **self._with_defaults(options))
            future = TaskFuture(self.client, task)
            with self._lock:
                self._pending.add(future)
        future.add_done_callback(self._forget)
        self._poller.watch(future)
        return future

    def _forget(self, future: TaskFuture) -> None:
        with self._lock:
            self._pending.discard(future)

    # ---- many inputs, one batch ----

    def map(self, task_type: str, inputs: Iterable[Any], timeout: Optional[float] = None,  # type: ignore[override]
            chunksize: Optional[int] = None, **options: Any) -> "BatchResults":
        """Runs ``task_type`` over every input as one batch; yields the results in input order.

        The batch is sent before this returns. A failed item raises its exception when the
        iteration reaches it, and the rest of the batch is then cancelled, as is what remains
        when the iteration is closed early. With ``timeout``, a result not there within that
        many seconds of the call raises ``TimeoutError``. ``chunksize`` is the batch's
        ``chunkSize`` (by default the service picks one); ``options`` are batch fields.
        """
        return self._run_batch(task_type, inputs, "input", timeout, chunksize, options)

    def imap_unordered(self, task_type: str, inputs: Iterable[Any], timeout: Optional[float] = None,
                       chunksize: Optional[int] = None, **options: Any) -> "BatchResults":
        """Like ``map``, but yields each result as soon as its item finishes."""
        return self._run_batch(task_type, inputs, "completion", timeout, chunksize, options)

    def _run_batch(self, task_type: str, inputs: Iterable[Any], order: str, timeout: Optional[float],
                   chunksize: Optional[int], options: Dict[str, Any]) -> "BatchResults":
        deadline = None if timeout is None else time.monotonic() + timeout
        # Kept whole: a retried upload is produced again from it, and the service needs the count
        # to know when the results are complete.
        inputs = inputs if isinstance(inputs, (list, tuple)) else list(inputs)
        fields = self._with_defaults(options)
        if chunksize is not None:
            fields["chunkSize"] = chunksize
        with self._submission():
            if not inputs:
                return BatchResults(self, None, order, deadline)  # the service refuses an empty batch
            batch = self.client.submit_batch(task_type, inputs, **fields)
            with self._lock:
                self._open_batches.add(batch["id"])
        return BatchResults(self, batch, order, deadline)

    def _batch_ended(self, batch_id: str) -> None:
        with self._lock:
            self._open_batches.discard(batch_id)

    # ---- shutdown ----

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Refuses new work; with ``cancel_futures``, cancels the tasks still queued and the
        batches of unfinished ``map`` calls; with ``wait``, returns once every future is done
        and every batch has ended."""
        with self._lock:
            self._shut_down = True
            while self._submitting:
                self._submissions_done.wait()
            pending = list(self._pending)
            batches = list(self._open_batches)
        if cancel_futures:
            for future in pending:
                self._cancel_quietly(f"task {future.task_id}", self._cancel_if_queued, future)
            for batch_id in batches:
                self._cancel_quietly(f"batch {batch_id}", self.client.cancel_batch, batch_id)
        if wait:
            futures.wait(pending)
            for batch_id in batches:
                self.client.wait_for_batch(batch_id)
            self.client.close()
        else:
            # The pollers still use theirs, and close them when they run out of work.
            self.client.transport.close_thread_connection()

    # ---- internals ----

    def _cancel_if_queued(self, future: TaskFuture) -> None:
        """Cancels a future whose task has not started, as Executor.shutdown(cancel_futures=True)
        cancels only what has not started. The state is read afresh: a poller may not have seen
        the task start. A task that starts between the read and the cancel is stopped too."""
        if future.done():
            return
        future.absorb(self.client.get_task(future.task_id))
        if future.state == "QUEUED":
            future.cancel()

    @contextlib.contextmanager
    def _submission(self) -> Iterator[None]:
        """Brackets one submission: refused after shutdown, and counted, so that shutdown waits
        for the submissions under way before it takes stock of the futures."""
        with self._lock:
            if self._shut_down:
                raise RuntimeError("cannot schedule new futures after shutdown")
            self._submitting += 1
        try:
            yield
        finally:
            with self._lock:
                self._submitting -= 1
                self._submissions_done.notify_all()

    def _with_defaults(self, options: Dict[str, Any]) -> Dict[str, Any]:
        fields = dict(options)
        if self._default_timeout_ms is not None:
            fields.setdefault("timeoutMs", self._default_timeout_ms)
        return fields

    @staticmethod
    def _cancel_quietly(what: str, cancel: Callable[..., Any], *args: Any) -> None:
        """A cancel that comes too late (409) is fine; any other failure is logged, not raised,
        so that one bad cancel does not keep the others from being sent."""
        try:
            cancel(*args)
        except TaskpoolError as problem:
            if problem.status != 409:
                log.warning("Cancelling %s failed: %s", what, problem)
        except Exception as error:
            log.warning("Cancelling %s failed: %s", what, error)


class BatchResults(abc.Iterator):
    """The results of one ``map`` or ``imap_unordered`` call, as an iterator.

    ``batch_id`` names the batch in the service (``None`` for no inputs), ``size`` counts its
    items. ``close()`` stops reading and cancels what has not finished.
    """

    def __init__(self, executor: TaskpoolExecutor, batch: Optional[Dict[str, Any]], order: str,
                 deadline: Optional[float]):
        self.batch_id: Optional[str] = batch["id"] if batch else None
        self.size: int = batch["size"] if batch else 0
        self._executor = executor
        self._values = self._read(order, deadline) if batch else iter(())

    def __next__(self) -> Any:
        return next(self._values)

    def close(self) -> None:
        close = getattr(self._values, "close", None)
        if close is not None:
            close()

    def _read(self, order: str, deadline: Optional[float]) -> Iterator[Any]:
        executor, batch_id = self._executor, self.batch_id
        complete = False
        try:
            for item in executor.client.batch_items(batch_id, self.size, order, deadline):
                yield value_of(item)
            complete = True
        finally:
            # Like Executor.map: once the caller stops reading (a failed item, a timeout, an
            # early close), the work left is cancelled rather than left to run for nobody.
            if not complete:
                executor._cancel_quietly(f"batch {batch_id}", executor.client.cancel_batch, batch_id)
            executor._batch_ended(batch_id)
