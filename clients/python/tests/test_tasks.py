"""Single tasks through TaskpoolExecutor.submit, against the real service."""

import threading
import time
import unittest
import uuid
from concurrent import futures

from dropping_proxy import DroppingProxy
from live_service import cancel_if_running, eventually, occupy_workers, shared_service
from taskpool_client import (RetryPolicy, TaskFailed, TaskFuture, TaskpoolClient, TaskpoolError,
                             TaskpoolExecutor, TaskTimedOut)

LONG_SLEEP = {"ms": 600000}
LONG_TIMEOUT = {"timeoutMs": 600000}

service = None


def setUpModule():
    global service
    service = shared_service()


class LiveTestCase(unittest.TestCase):

    def setUp(self):
        self.client = TaskpoolClient(service.url)
        self.addCleanup(self.client.close)
        self.pool = self.executor()

    def executor(self, url=None, **settings):
        pool = TaskpoolExecutor(url or service.url, **settings)
        self.addCleanup(pool.shutdown, wait=False, cancel_futures=True)
        return pool

    def long_sleep(self, pool=None):
        future = (pool or self.pool).submit("sleep", LONG_SLEEP, **LONG_TIMEOUT)
        self.addCleanup(cancel_if_running, self.client, future.task_id)
        return future

    def remote_state(self, future):
        return self.client.get_task(future.task_id)["state"]


class SubmitTest(LiveTestCase):

    def test_a_future_gets_the_task_result(self):
        future = self.pool.submit("primes.count", {"below": 1000000})
        self.assertIsInstance(future, futures.Future)
        self.assertEqual({"count": 78498}, future.result(timeout=60))
        self.assertTrue(future.done())
        self.assertEqual("SUCCEEDED", future.state)
        self.assertEqual("SUCCEEDED", self.remote_state(future))

    def test_options_are_the_api_submission_fields(self):
        future = self.pool.submit("noop", {"a": 1}, priority=5, labels={"team": "search"}, timeoutMs=12345)
        self.assertEqual({"a": 1}, future.result(timeout=60))
        task = self.client.get_task(future.task_id)
        self.assertEqual((5, {"team": "search"}, 12345), (task["priority"], task["labels"], task["timeoutMs"]))

    def test_an_unknown_option_is_sent_as_it_is(self):
        with self.assertRaises(TaskpoolError) as raised:
            self.pool.submit("noop", {}, someFutureField=3)
        self.assertEqual(400, raised.exception.status)
        self.assertEqual("someFutureField", raised.exception.problem["field"])

    def test_default_timeout_is_the_time_limit_of_tasks_without_their_own(self):
        pool = self.executor(default_timeout=2.5)
        self.assertEqual(2500, self.client.get_task(pool.submit("noop").task_id)["timeoutMs"])
        self.assertEqual(700, self.client.get_task(pool.submit("noop", timeoutMs=700).task_id)["timeoutMs"])

    def test_an_unknown_task_type_is_refused_at_submission(self):
        with self.assertRaises(TaskpoolError) as raised:
            self.pool.submit("fibonacci", {"n": 10})
        problem = raised.exception
        self.assertEqual((400, "Invalid request", "urn:taskpool:problem:invalid-field"),
                         (problem.status, problem.title, problem.type))
        self.assertIn("unknown task type 'fibonacci'", problem.detail)

    def test_an_input_against_the_schema_is_refused_with_its_path(self):
        with self.assertRaises(TaskpoolError) as raised:
            self.pool.submit("primes.count", {"below": "ten"})
        self.assertEqual((400, "urn:taskpool:problem:invalid-input", "$.below"),
                         (raised.exception.status, raised.exception.type, raised.exception.problem["path"]))

    def test_an_unknown_task_id_is_not_found(self):
        with self.assertRaises(TaskpoolError) as raised:
            self.client.get_task(str(uuid.uuid4()))
        self.assertEqual((404, "Task not found", "urn:taskpool:problem:task-not-found"),
                         (raised.exception.status, raised.exception.title, raised.exception.type))


class FailureTest(LiveTestCase):

    def test_a_failed_task_raises_task_failed(self):
        future = self.pool.submit("pyscript", {"fail": "the input was rotten"})
        with self.assertRaises(TaskFailed) as raised:
            future.result(timeout=60)
        failure = raised.exception
        self.assertEqual("TASK_FAILED", failure.code)
        self.assertEqual("ProgramFailed", failure.exception_type)
        self.assertIn("the input was rotten", failure.message)
        self.assertEqual(future.task_id, failure.task_id)
        self.assertIs(failure, future.exception())

    def test_a_task_past_its_time_limit_raises_task_timed_out(self):
        future = self.pool.submit("sleep", {"ms": 30000}, timeoutMs=200)
        with self.assertRaises(TimeoutError) as raised:
            future.result(timeout=60)
        self.assertIsInstance(raised.exception, TaskTimedOut)
        self.assertEqual("TIMED_OUT", raised.exception.code)
        self.assertEqual("TIMED_OUT", self.remote_state(future))

    def test_result_with_a_timeout_gives_up_without_touching_the_task(self):
        future = self.long_sleep()
        with self.assertRaises(futures.TimeoutError) as raised:
            future.result(timeout=0.3)
        self.assertNotIsInstance(raised.exception, TaskTimedOut)
        self.assertFalse(future.done())


class CompletionTest(LiveTestCase):

    def test_as_completed_yields_in_completion_order(self):
        slow = self.pool.submit("sleep", {"ms": 2500})
        fast = self.pool.submit("sleep", {"ms": 50})
        finished = list(futures.as_completed([slow, fast], timeout=60))
        self.assertEqual([fast, slow], finished)

    def test_wait_returns_at_the_first_completion(self):
        slow = self.long_sleep()
        fast = self.pool.submit("noop", {"n": 1})
        done, not_done = futures.wait([slow, fast], timeout=60, return_when=futures.FIRST_COMPLETED)
        self.assertEqual(({fast}, {slow}), (done, not_done))

    def test_a_done_callback_runs_when_the_task_ends(self):
        called = threading.Event()
        seen = []
        future = self.pool.submit("noop", {"n": 2})
        future.add_done_callback(lambda f: (seen.append(f), called.set()))
        self.assertTrue(called.wait(60), "the callback ran")
        self.assertEqual([future], seen)
        self.assertEqual({"n": 2}, seen[0].result())

    def test_many_futures_are_completed_by_a_few_threads(self):
        pool = self.executor(max_pollers=3)
        submitted = [pool.submit("noop", {"n": n}) for n in range(300)]
        most_threads = 0
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            most_threads = max(most_threads, pool._poller.thread_count)  # white box: no public count
            done, not_done = futures.wait(submitted, timeout=0.05)
            if not not_done:
                break
        self.assertEqual(set(), not_done)
        self.assertLessEqual(most_threads, 3)
        self.assertEqual(list(range(300)), [f.result()["n"] for f in submitted])


class CancelTest(LiveTestCase):

    def test_a_queued_task_is_cancelled(self):
        occupy_workers(self, self.client)
        future = self.pool.submit("noop", {"n": 3})
        self.assertEqual("QUEUED", self.remote_state(future))
        self.assertTrue(future.cancel())
        self.assertTrue(future.cancelled())
        with self.assertRaises(futures.CancelledError):
            future.result()
        task = self.client.get_task(future.task_id)
        self.assertEqual(("CANCELLED", "cancelled while queued"), (task["state"], task["error"]["message"]))

    def test_a_running_task_is_cancelled_and_waiters_hear_of_it(self):
        future = self.long_sleep()
        called = threading.Event()
        future.add_done_callback(lambda f: called.set())
        eventually(lambda: self.remote_state(future) == "RUNNING", what="the sleep runs")
        self.assertTrue(future.cancel())
        task = self.client.get_task(future.task_id)
        self.assertEqual("CANCELLED", task["state"])
        self.assertIn("running", task["error"]["message"])
        self.assertTrue(called.is_set())
        self.assertEqual([future], list(futures.as_completed([future], timeout=5)))

    def test_a_task_cancelled_elsewhere_cancels_its_future(self):
        future = self.long_sleep()
        self.client.cancel_task(future.task_id)
        done, _ = futures.wait([future], timeout=60)
        self.assertEqual({future}, done)
        self.assertTrue(future.cancelled())
        with self.assertRaises(futures.CancelledError):
            future.result()

    def test_a_finished_task_cannot_be_cancelled(self):
        future = self.pool.submit("noop", {"n": 4})
        future.result(timeout=60)
        self.assertFalse(future.cancel())
        self.assertFalse(future.cancelled())

    def test_a_cancel_that_arrives_after_the_end_takes_the_real_outcome(self):
        future = self.pool.submit("noop", {"n": 5})
        self.client.wait_for_task(future.task_id)  # finished, but the future may not know yet
        self.assertFalse(future.cancel())
        self.assertEqual({"n": 5}, future.result(timeout=0))


class LostAnswerTest(LiveTestCase):

    def test_a_submission_whose_answer_was_lost_is_stored_once(self):
        nonce = str(uuid.uuid4())
        with DroppingProxy(service.api_port, losses=1) as proxy:
            pool = self.executor(proxy.url, retry=RetryPolicy(first_delay=0.05))
            future = pool.submit("pyscript", {"value": nonce})
            self.assertEqual({"value": nonce}, future.result(timeout=60))
            self.assertEqual(1, proxy.answers_lost)
        tasks = self.client.transport.request("GET", "/api/v1/tasks", query={"type": "pyscript", "limit": 1000},
                                              idempotent=True).json()["items"]
        self.assertEqual([future.task_id], [task["id"] for task in tasks if task["input"] == {"value": nonce}])


class FutureTypeTest(LiveTestCase):

    def test_the_future_names_its_task(self):
        future = self.pool.submit("noop")
        self.assertIsInstance(future, TaskFuture)
        self.assertIn(future.task_id, repr(future))
        self.assertEqual({}, future.result(timeout=60))


if __name__ == "__main__":
    unittest.main()
