"""Python client of taskpool: run compute tasks in a taskpool service through the
``concurrent.futures`` interface.

    from taskpool_client import TaskpoolExecutor

    with TaskpoolExecutor("http://localhost:8080") as pool:
        print(list(pool.map("primes.count", [{"below": n} for n in (10, 100, 1000)])))
"""

from .client import TaskpoolClient
from .errors import TaskFailed, TaskpoolError, TaskTimedOut
from .executor import BatchResults, TaskpoolExecutor
from .futures import TaskFuture
from .retry import RetryPolicy
from .version import __version__

__all__ = [
    "BatchResults",
    "RetryPolicy",
    "TaskFailed",
    "TaskFuture",
    "TaskTimedOut",
    "TaskpoolClient",
    "TaskpoolError",
    "TaskpoolExecutor",
    "__version__",
]
