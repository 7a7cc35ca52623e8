"""The retry policy and the transport's retries, against a local server that fails on purpose."""

import json
import unittest
import uuid

from flaky_server import FlakyServer
from live_service import free_port
from taskpool_client import RetryPolicy, TaskpoolClient, TaskpoolError
from taskpool_client.transport import Transport


class RecordedPauses(list):
    """Stands in for time.sleep: remembers the pauses instead of taking them."""

    def __call__(self, seconds):
        self.append(seconds)


def policy(attempts=4, **settings):
    pauses = RecordedPauses()
    return RetryPolicy(attempts=attempts, first_delay=0.1, max_delay=1.0, jitter=0, sleep=pauses, **settings), pauses


class RetryPolicyTest(unittest.TestCase):

    def test_back_off_doubles_up_to_its_cap(self):
        retry, _ = policy()
        self.assertEqual([0.1, 0.2, 0.4, 0.8, 1.0, 1.0], [round(retry.delay(n), 6) for n in range(1, 7)])

    def test_jitter_only_shortens_a_pause(self):
        retry = RetryPolicy(first_delay=1.0, max_delay=1.0, jitter=0.5)
        for _ in range(100):
            self.assertTrue(0.5 <= retry.delay(1) <= 1.0)

    def test_retry_after_is_a_lower_bound_within_the_cap(self):
        retry, _ = policy()
        self.assertEqual(0.7, retry.delay(1, retry_after=0.7))
        self.assertEqual(1.0, retry.delay(1, retry_after=30), "a long Retry-After is capped at max_delay")

    def test_attempts_count_the_first_try(self):
        retry, _ = policy(attempts=3)
        self.assertEqual([True, True, False], [retry.allows(n) for n in (1, 2, 3)])

    def test_transient_failures(self):
        self.assertTrue(RetryPolicy.is_transient_error(ConnectionRefusedError()))
        self.assertTrue(RetryPolicy.is_transient_error(ConnectionResetError()))
        self.assertFalse(RetryPolicy.is_transient_error(ValueError()))
        for status in (502, 503, 504, 429):
            self.assertTrue(RetryPolicy.is_transient_status(status))
        for status in (400, 404, 409, 413, 422, 500):
            self.assertFalse(RetryPolicy.is_transient_status(status))
        self.assertTrue(RetryPolicy.is_transient_status(409, "urn:taskpool:problem:idempotency-key-in-use"))


class TransportRetryTest(unittest.TestCase):

    def client(self, url, retry=None, api_key=None):
        client = TaskpoolClient(url, api_key, retry=retry)
        self.addCleanup(client.close)
        return client

    def test_a_get_is_retried_through_unavailable_answers(self):
        retry, pauses = policy(attempts=4)
        with FlakyServer(failures=3, status=503) as server:
            task = self.client(server.url, retry).get_task("t-1")
        self.assertEqual("t-1", task["id"])
        self.assertEqual(4, len(server.requests))
        self.assertEqual([0.1, 0.2, 0.4], pauses)

    def test_bad_gateway_and_gateway_timeout_are_retried(self):
        for status in (502, 504):
            retry, _ = policy()
            with FlakyServer(failures=1, status=status) as server:
                self.client(server.url, retry).get_task("t-1")
                self.assertEqual(2, len(server.requests), status)

    def test_a_get_is_retried_when_the_connection_drops(self):
        retry, _ = policy()
        with FlakyServer(failures=2, how="drop") as server:
            self.assertEqual("t-1", self.client(server.url, retry).get_task("t-1")["id"])
        self.assertEqual(3, len(server.requests))

    def test_a_submission_is_retried_under_one_idempotency_key(self):
        retry, _ = policy()
        with FlakyServer(failures=2, how="drop") as server:
            client = self.client(server.url, retry)
            client.submit_task("noop", {"n": 1})
            client.submit_task("noop", {"n": 2})
        keys = [request.headers["Idempotency-Key"] for request in server.requests]
        self.assertEqual(4, len(keys))
        self.assertEqual(1, len(set(keys[:3])), "the retries repeat the first attempt's key")
        self.assertNotEqual(keys[0], keys[3], "each submission has a key of its own")
        self.assertEqual(4, uuid.UUID(keys[0]).version)
        self.assertEqual({"type": "noop", "input": {"n": 1}}, json.loads(server.requests[0].body))

    def test_a_batch_upload_is_sent_again_whole_under_one_key(self):
        retry, _ = policy()
        inputs = [{"text": "x" * 100, "n": n} for n in range(2000)]  # several pieces of streamed body
        with FlakyServer(failures=1, how="drop", answer={"id": "b-1", "size": 2000}) as server:
            batch = self.client(server.url, retry).submit_batch("hash.sha256", inputs, chunkSize=8)
        self.assertEqual("b-1", batch["id"])
        first, second = server.requests
        self.assertEqual(first.headers["Idempotency-Key"], second.headers["Idempotency-Key"])
        self.assertEqual("chunked", second.headers["Transfer-Encoding"])
        self.assertEqual({"type": "hash.sha256", "chunkSize": 8, "inputs": inputs}, json.loads(second.body))
        self.assertEqual(first.body, second.body)

    def test_gives_up_after_the_last_attempt_with_the_problem(self):
        retry, pauses = policy(attempts=3)
        with FlakyServer(failures=10, status=503) as server, self.assertRaises(TaskpoolError) as raised:
            self.client(server.url, retry).get_task("t-1")
        self.assertEqual(3, len(server.requests))
        self.assertEqual(2, len(pauses))
        self.assertEqual((503, "Service Unavailable", "starting up"),
                         (raised.exception.status, raised.exception.title, raised.exception.detail))

    def test_a_refused_connection_is_retried_then_raised(self):
        retry, pauses = policy(attempts=3)
        nothing_listens = f"http://127.0.0.1:{free_port()}"
        with self.assertRaises(ConnectionRefusedError):
            self.client(nothing_listens, retry).get_task("t-1")
        self.assertEqual(2, len(pauses))

    def test_retry_after_sets_the_pause(self):
        retry, pauses = policy()
        with FlakyServer(failures=1, status=429, retry_after="1", problem={
                "type": "urn:taskpool:problem:queue-full", "title": "Queue full", "status": 429}) as server:
            self.client(server.url, retry).submit_task("noop")
        self.assertEqual([1.0], pauses)

    def test_a_request_that_may_not_be_repeated_is_sent_once(self):
        retry, _ = policy()
        with FlakyServer(failures=1, status=503) as server, self.assertRaises(TaskpoolError):
            transport = Transport(server.url, retry=retry)
            self.addCleanup(transport.close)
            transport.request("POST", "/api/v1/anything", json_body={}, idempotent=False)
        self.assertEqual(1, len(server.requests))

    def test_a_client_error_is_not_retried_and_keeps_the_problem_fields(self):
        retry, _ = policy()
        problem = {"type": "urn:taskpool:problem:invalid-field", "title": "Invalid request", "status": 400,
                   "detail": "unknown task type 'nope'", "field": "type"}
        with FlakyServer(failures=1, status=400, problem=problem) as server, \
                self.assertRaises(TaskpoolError) as raised:
            self.client(server.url, retry).submit_task("nope")
        self.assertEqual(1, len(server.requests))
        error = raised.exception
        self.assertEqual((400, "Invalid request", "unknown task type 'nope'", "urn:taskpool:problem:invalid-field"),
                         (error.status, error.title, error.detail, error.type))
        self.assertEqual("type", error.problem["field"])

    def test_the_api_key_is_a_bearer_token(self):
        with FlakyServer() as server:
            self.client(server.url, api_key="s3cret").get_task("t-1")
            self.client(server.url).get_task("t-1")
        self.assertEqual("Bearer s3cret", server.requests[0].headers["Authorization"])
        self.assertNotIn("Authorization", server.requests[1].headers)


if __name__ == "__main__":
    unittest.main()
