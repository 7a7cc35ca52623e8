"""map and imap_unordered: one batch per call, results streamed back; against the real service."""

import time
import unittest
from concurrent import futures
from datetime import datetime, timezone

from dropping_proxy import DroppingProxy
from live_service import shared_service
from taskpool_client import RetryPolicy, TaskFailed, TaskpoolClient, TaskpoolError, TaskpoolExecutor, TaskTimedOut

LONG_TIMEOUT = {"timeoutMs": 600000}

service = None


def setUpModule():
    global service
    service = shared_service()


def instant(text):
    """An instant as the service writes it (ISO-8601, UTC, up to nine fraction digits)."""
    whole, _, fraction = text.rstrip("Z").partition(".")
    parsed = datetime.strptime(whole, "%Y-%m-%dT%H:%M:%S").replace(tzinfo=timezone.utc)
    return parsed.timestamp() + float("0." + (fraction or "0"))


class MapTestCase(unittest.TestCase):

    def setUp(self):
        self.client = TaskpoolClient(service.url)
        self.addCleanup(self.client.close)
        self.pool = TaskpoolExecutor(service.url)
        self.addCleanup(self.pool.shutdown, wait=False, cancel_futures=True)

    def items(self, batch_id, count):
        """The batch's item tasks, once all count of them are stored: items are written as tasks shortly
        after the batch is accepted, so the task list may not hold them yet."""
        deadline = time.monotonic() + 30
        while True:
            page = self.client.transport.request("GET", "/api/v1/tasks", query={"batchId": batch_id, "limit": 1000},
                                                 idempotent=True).json()
            if len(page["items"]) >= count or time.monotonic() > deadline:
                return sorted(page["items"], key=lambda task: task["index"])
            time.sleep(0.05)

    def batch_state_after_cancel(self, batch_id):
        return self.client.get_batch(batch_id, wait=30)["state"]


class OrderTest(MapTestCase):

    def test_map_yields_in_input_order_though_items_finish_out_of_order(self):
        durations = [900, 500, 300, 0]
        results = self.pool.map("sleep", [{"ms": ms} for ms in durations], chunksize=1)
        slept = [result["sleptMs"] for result in results]
        self.assertEqual(len(durations), len(slept))
        for asked, got in zip(durations, slept):
            self.assertGreaterEqual(got, asked)
        self.assertEqual(sorted(slept, reverse=True), slept, "the results follow the inputs")
        finished = [instant(item["finishedAt"]) for item in self.items(results.batch_id, len(durations))]
        self.assertLess(finished[1], finished[0], "item 1 finished before item 0")

    def test_imap_unordered_yields_in_completion_order(self):
        results = list(self.pool.imap_unordered("sleep", [{"ms": 1500}, {"ms": 0}, {"ms": 0}, {"ms": 0}], chunksize=1))
        self.assertEqual(4, len(results))
        self.assertGreaterEqual(results[-1]["sleptMs"], 1500, "the long item comes last")
        self.assertTrue(all(result["sleptMs"] < 1500 for result in results[:-1]))

    def test_inputs_may_come_from_a_generator(self):
        self.assertEqual([{"i": i} for i in range(5)], list(self.pool.map("noop", ({"i": i} for i in range(5)))))

    def test_no_inputs_send_nothing(self):
        results = self.pool.map("noop", [])
        self.assertEqual([], list(results))
        self.assertIsNone(results.batch_id)

    def test_ten_thousand_inputs_are_one_batch(self):
        inputs = [{"i": i} for i in range(10000)]
        started = time.monotonic()
        results = self.pool.map("noop", inputs)
        self.assertEqual(inputs, list(results))
        self.assertEqual(10000, self.client.get_batch(results.batch_id)["size"])
        self.assertLess(time.monotonic() - started, 120)

    def test_batch_fields_are_passed_on(self):
        results = self.pool.map("noop", [{}, {}], chunksize=3, priority=7, labels={"run": "nightly"})
        self.assertEqual([{}, {}], list(results))
        batch = self.client.get_batch(results.batch_id)
        self.assertEqual((3, 7, {"run": "nightly"}), (batch["chunkSize"], batch["priority"], batch["labels"]))


class ItemFailureTest(MapTestCase):

    def test_a_failed_item_raises_when_reached_and_the_rest_is_cancelled(self):
        inputs = [{"value": 0}, {"fail": "item one is bad"}, {"value": 2, "sleepMs": 600000},
                  {"value": 3, "sleepMs": 600000}]
        results = self.pool.map("pyscript", inputs, chunksize=1, **LONG_TIMEOUT)
        self.assertEqual({"value": 0}, next(results))
        with self.assertRaises(TaskFailed) as raised:
            next(results)
        self.assertEqual((1, "TASK_FAILED", "ProgramFailed"),
                         (raised.exception.index, raised.exception.code, raised.exception.exception_type))
        self.assertIn("item one is bad", raised.exception.message)
        with self.assertRaises(StopIteration):
            next(results)
        self.assertEqual("CANCELLED", self.batch_state_after_cancel(results.batch_id))

    def test_an_item_past_its_time_limit_raises_task_timed_out(self):
        results = self.pool.map("sleep", [{"ms": 0}, {"ms": 30000}], chunksize=1, timeoutMs=300)
        self.assertEqual({"sleptMs": 0}, next(results))
        with self.assertRaises(TaskTimedOut) as raised:
            next(results)
        self.assertEqual(1, raised.exception.index)

    def test_an_item_cancelled_on_its_own_raises_cancelled_error(self):
        results = self.pool.imap_unordered("sleep", [{"ms": 600000}], **LONG_TIMEOUT)
        [item] = self.items(results.batch_id, 1)
        self.client.cancel_task(item["id"])
        with self.assertRaises(futures.CancelledError):
            next(results)

    def test_a_refused_batch_raises_at_the_call(self):
        with self.assertRaises(TaskpoolError) as raised:
            self.pool.map("primes.count", [{"below": 10}, {"below": -5}])
        self.assertEqual((400, "urn:taskpool:problem:invalid-input", 1),
                         (raised.exception.status, raised.exception.type, raised.exception.problem["index"]))


class EarlyEndTest(MapTestCase):

    def test_a_timeout_raises_timeout_error_and_cancels_the_batch(self):
        started = time.monotonic()
        results = self.pool.map("sleep", [{"ms": 600000}], timeout=0.5, **LONG_TIMEOUT)
        with self.assertRaises(futures.TimeoutError):
            next(results)
        self.assertLess(time.monotonic() - started, 30)
        self.assertEqual("CANCELLED", self.batch_state_after_cancel(results.batch_id))

    def test_closing_the_iterator_early_cancels_the_rest(self):
        results = self.pool.map("sleep", [{"ms": 0}, {"ms": 600000}], chunksize=1, **LONG_TIMEOUT)
        self.assertEqual({"sleptMs": 0}, next(results))
        results.close()
        self.assertEqual("CANCELLED", self.batch_state_after_cancel(results.batch_id))


class BrokenStreamTest(MapTestCase):

    def test_a_stream_cut_off_midway_is_resumed_without_repeats(self):
        inputs = [{"i": i, "pad": "x" * 40} for i in range(300)]
        batch = self.client.submit_batch("noop", inputs)
        self.client.wait_for_batch(batch["id"])
        with DroppingProxy(service.api_port, losses=1, answer_bytes=2000) as proxy, \
                TaskpoolClient(proxy.url, retry=RetryPolicy(first_delay=0.05)) as client:
            items = list(client.batch_items(batch["id"], batch["size"]))
            self.assertEqual(1, proxy.answers_lost)
        self.assertEqual(list(range(300)), [item["index"] for item in items])
        self.assertEqual(inputs, [item["result"] for item in items])


if __name__ == "__main__":
    unittest.main()
