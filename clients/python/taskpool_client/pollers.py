"""Completes pending ``TaskFuture``s in the background by long-polling their tasks.

A fixed, small number of threads serves every future, however many there are: each thread takes
the future that has waited longest, long-polls its task, completes the future if the task has
ended and otherwise puts it back at the end of the line. Threads start when futures arrive and
end after a short idle spell, so an executor that is not used holds no threads.
"""

from __future__ import annotations

import logging
import queue
import threading
from typing import Optional

from .client import TaskpoolClient
from .errors import TaskpoolError
from .futures import TaskFuture

log = logging.getLogger("taskpool_client")

# How long one poll waits for its task. With no more futures than threads, a thread can wait
# long (the service answers the moment the task ends, and holds no thread meanwhile). With a
# backlog, a task still running gives its thread back after a short wait, so futures further
# back whose tasks have ended are not held up behind it. Shorter would mean more requests for
# tasks that are still running; longer, later completions behind a long task.
UNHURRIED_WAIT = 30.0
BACKLOG_WAIT = 2.0

# A thread with nothing to do ends after this long; the next future starts one again.
IDLE_SECONDS = 2.0


class ResultPoller:
    """Up to ``max_threads`` threads that long-poll the tasks of the futures they are given."""

    def __init__(self, client: TaskpoolClient, max_threads: int, name: str = "taskpool-poller"):
        if max_threads < 1:
            raise ValueError("max_threads must be at least 1")
        self._client = client
        self._max_threads = max_threads
        self._name = name
        self._line: "queue.Queue[TaskFuture]" = queue.Queue()
        self._lock = threading.Lock()
        self._threads = 0
        self._started = 0

    def watch(self, future: TaskFuture) -> None:
        """Completes ``future`` once its task has ended."""
        with self._lock:
            self._line.put(future)
            if self._threads < self._max_threads:
                self._threads += 1
                self._started += 1
                threading.Thread(target=self._serve, name=f"{self._name}-{self._started}", daemon=True).start()

    @property
    def thread_count(self) -> int:
        return self._threads

    def _serve(self) -> None:
        retry = self._client.transport.retry
        failures_in_a_row = 0
        while True:
            future = self._next_future()
            if future is None:
                return
            if future.done():
                continue  # completed meanwhile by a caller's own poll, or cancelled
            backlog = self._line.qsize() >= self._max_threads
            try:
                future.absorb(self._client.get_task(future.task_id, wait=BACKLOG_WAIT if backlog else UNHURRIED_WAIT))
                failures_in_a_row = 0
            except TaskpoolError as problem:
                # The service answered but will never report this task (deleted, say): the
                # future cannot complete otherwise.
                future.fail(problem)
                continue
            except Exception as error:
                if not retry.is_transient_error(error):
                    future.fail(error)
                    continue
                # The network failed beyond the transport's own retries. The task lives on in
                # the service, so keep the future and come back to it, pausing ever longer.
                failures_in_a_row += 1
                log.warning("Polling task %s failed (%s); retrying, %d failure(s) in a row",
                            future.task_id, error, failures_in_a_row)
                retry.pause(failures_in_a_row)
            if not future.done():
                self._line.put(future)

    def _next_future(self) -> Optional[TaskFuture]:
        while True:
            try:
                return self._line.get(timeout=IDLE_SECONDS)
            except queue.Empty:
                with self._lock:
                    # Checked under the lock watch() takes: a future put meanwhile either is seen
                    # here or finds this thread gone and starts another.
                    if self._line.empty():
                        self._threads -= 1
                        self._client.transport.close_thread_connection()
                        return None
