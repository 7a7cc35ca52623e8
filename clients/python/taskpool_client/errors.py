"""The exceptions a caller sees, and what a finished task or batch item means in Python.

A task that did not succeed is not an HTTP error: the request that reported it worked. So its
outcome maps to exceptions Python users already catch (``TimeoutError``, ``CancelledError``) or
to ``TaskFailed``; only a request the service refused becomes a ``TaskpoolError``.
"""

from __future__ import annotations

import re
from concurrent.futures import CancelledError
from typing import Any, Mapping, Optional

TERMINAL_STATES = frozenset({"SUCCEEDED", "FAILED", "CANCELLED", "TIMED_OUT"})


def is_terminal(state: Optional[str]) -> bool:
    return state in TERMINAL_STATES


class TaskpoolError(Exception):
    """The service refused a request: an RFC 9457 problem, or an HTTP error without one.

    ``status`` is the HTTP status, ``type`` the stable problem type
    (``urn:taskpool:problem:task-not-found``), ``title`` and ``detail`` say what went wrong, and
    ``problem`` holds every field of the problem, extensions such as ``field`` or ``taskId``
    included.
    """

    def __init__(self, status: int, title: str, detail: Optional[str] = None,
                 type: Optional[str] = None, problem: Optional[Mapping[str, Any]] = None):
        self.status = status
        self.title = title
        self.detail = detail
        self.type = type
        self.problem = dict(problem or {})
        super().__init__(f"{status} {title}: {detail}" if detail else f"{status} {title}")


class TaskFailed(Exception):
    """The task (or batch item) ended ``FAILED``.

    ``code`` is the service's error code (``TASK_FAILED``, ``WORKER_CRASHED``, ...), ``message``
    and ``detail`` its explanation (``detail`` holds a handler's stack trace), and
    ``exception_type`` the class of the exception the handler threw (``ProgramFailed`` for a
    program that exited non-zero), or ``None`` when the failure was not an exception.
    """

    def __init__(self, code: str, message: str, detail: Optional[str] = None,
                 exception_type: Optional[str] = None, task_id: Optional[str] = None,
                 index: Optional[int] = None):
        self.code = code
        self.message = message
        self.detail = detail
        self.exception_type = exception_type
        self.task_id = task_id
        self.index = index
        super().__init__(f"{code}: {message}")


class TaskTimedOut(TimeoutError):
    """The task (or batch item) ran longer than its ``timeoutMs`` and was stopped (``TIMED_OUT``)."""

    def __init__(self, message: str, task_id: Optional[str] = None, index: Optional[int] = None):
        self.code = "TIMED_OUT"
        self.message = message
        self.task_id = task_id
        self.index = index
        super().__init__(message)


# A handler's exception reaches the service as "<class>: <message>"; the class is a Java name,
# optionally qualified, that starts with a capital ("io.taskpool.spi.InvalidInputException",
# "ProgramFailed"). Anything else, such as a worker's crash report, carries no exception type.
_EXCEPTION_PREFIX = re.compile(r"((?:[A-Za-z_$][\w$]*\.)*[A-Z][\w$]*): ")


def exception_type_of(error: Mapping[str, Any]) -> Optional[str]:
    """The class of the exception behind a ``TASK_FAILED`` error, if the error names one."""
    if error.get("code") != "TASK_FAILED":
        return None
    match = _EXCEPTION_PREFIX.match(error.get("message") or "")
    return match.group(1) if match else None


def failure_of(record: Mapping[str, Any]) -> Optional[BaseException]:
    """The exception a finished task or batch item stands for; ``None`` if it succeeded.

    ``record`` is a task or a batch item: both have ``state`` and ``error``; a task has ``id``,
    an item ``index``.
    """
    state = record.get("state")
    if state == "SUCCEEDED":
        return None
    if not is_terminal(state):
        raise ValueError(f"a {state} task has no outcome yet")
    error = record.get("error") or {}
    message = error.get("message") or state
    task_id = record.get("id")
    index = record.get("index")
    if state == "TIMED_OUT":
        return TaskTimedOut(message, task_id=task_id, index=index)
    if state == "CANCELLED":
        return CancelledError(message)
    return TaskFailed(error.get("code") or "TASK_FAILED", message, detail=error.get("detail"),
                      exception_type=exception_type_of(error), task_id=task_id, index=index)


def value_of(record: Mapping[str, Any]) -> Any:
    """The result of a finished task or batch item, or its failure raised."""
    failure = failure_of(record)
    if failure is not None:
        raise failure
    return record.get("result")
