"""Python client of taskpool: run compute tasks in a taskpool service."""

from .client import TaskpoolClient
from .errors import TaskFailed, TaskpoolError, TaskTimedOut
from .retry import RetryPolicy
from .version import __version__

__all__ = [
    "RetryPolicy",
    "TaskFailed",
    "TaskTimedOut",
    "TaskpoolClient",
    "TaskpoolError",
    "__version__",
]
