"""When a failed request is worth sending again, and how long to pause before it."""

from __future__ import annotations

import http.client
import random
import ssl
import time
from typing import Callable, Optional

# 502/503/504 come from a proxy or a service that is restarting: the request most likely never
# reached the queue. 429 means the queue or the stream slots are full for now; the service says
# when to come back in Retry-After.
RETRIED_STATUSES = frozenset({429, 502, 503, 504})

# The first request with an Idempotency-Key is still being stored (or was cut off): the service
# asks for the same request again, later.
KEY_IN_USE = "urn:taskpool:problem:idempotency-key-in-use"


class RetryPolicy:
    """Capped exponential back-off with jitter, for requests that are safe to repeat.

    ``attempts`` counts every try, the first included, so ``attempts=1`` never retries. The
    pause before retry *n* (from 1) is ``first_delay * multiplier ** (n - 1)``, at most
    ``max_delay``, shortened at random by up to ``jitter`` (a fraction) so that many clients
    cut off at once do not come back in step. A ``Retry-After`` from the service is a lower bound.
    """

    def __init__(self, attempts: int = 6, first_delay: float = 0.2, max_delay: float = 5.0,
                 multiplier: float = 2.0, jitter: float = 0.2,
                 sleep: Callable[[float], None] = time.sleep):
        if attempts < 1:
            raise ValueError("attempts must be at least 1")
        if first_delay < 0 or max_delay < 0 or multiplier < 1 or not 0 <= jitter <= 1:
            raise ValueError("delays must not be negative, multiplier at least 1, jitter within 0..1")
        self.attempts = attempts
        self.first_delay = first_delay
        self.max_delay = max_delay
        self.multiplier = multiplier
        self.jitter = jitter
        self._sleep = sleep

    def delay(self, retry: int, retry_after: Optional[float] = None) -> float:
        """Seconds to pause before retry number ``retry`` (1 for the first retry)."""
        backoff = min(self.max_delay, self.first_delay * self.multiplier ** (retry - 1))
        backoff -= backoff * self.jitter * random.random()
        if retry_after is not None:
            backoff = max(backoff, min(retry_after, self.max_delay))
        return backoff

    def pause(self, retry: int, retry_after: Optional[float] = None) -> None:
        self._sleep(self.delay(retry, retry_after))

    def allows(self, attempt: int) -> bool:
        """Whether a request that failed on try number ``attempt`` may be tried again."""
        return attempt < self.attempts

    @staticmethod
    def is_transient_error(error: BaseException) -> bool:
        """Network failures: refused, reset or dropped connections, timeouts, truncated replies.

        A certificate that does not verify is an OSError too, but it will not verify next time.
        """
        if isinstance(error, (ssl.SSLCertVerificationError, ssl.CertificateError)):
            return False
        return isinstance(error, (OSError, http.client.HTTPException))

    @staticmethod
    def is_transient_status(status: int, problem_type: Optional[str] = None) -> bool:
        return status in RETRIED_STATUSES or (status == 409 and problem_type == KEY_IN_USE)


NO_RETRY = RetryPolicy(attempts=1)
