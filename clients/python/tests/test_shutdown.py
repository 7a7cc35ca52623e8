"""Executor.shutdown and the context manager, with concurrent.futures semantics; real service."""

import time
import unittest

from live_service import cancel_if_running, eventually, shared_service
from taskpool_client import TaskpoolClient, TaskpoolExecutor

service = None


def setUpModule():
    global service
    service = shared_service()


class ShutdownTest(unittest.TestCase):

    def setUp(self):
        self.client = TaskpoolClient(service.url)
        self.addCleanup(self.client.close)

    def executor(self):
        pool = TaskpoolExecutor(service.url)
        self.addCleanup(pool.shutdown, wait=False, cancel_futures=True)
        return pool

    def remote_state(self, task_id):
        return self.client.get_task(task_id)["state"]

    def test_nothing_is_accepted_after_shutdown(self):
        pool = self.executor()
        pool.shutdown()
        with self.assertRaisesRegex(RuntimeError, "after shutdown"):
            pool.submit("noop")
        with self.assertRaisesRegex(RuntimeError, "after shutdown"):
            pool.map("noop", [{}])
        with self.assertRaisesRegex(RuntimeError, "after shutdown"):
            pool.imap_unordered("noop", [])

    def test_leaving_the_with_block_waits_for_every_future(self):
        with TaskpoolExecutor(service.url) as pool:
            submitted = [pool.submit("sleep", {"ms": ms}) for ms in (400, 200, 0)]
        self.assertTrue(all(future.done() for future in submitted))
        for asked, future in zip((400, 200, 0), submitted):
            self.assertGreaterEqual(future.result(timeout=0)["sleptMs"], asked)

    def test_shutdown_without_wait_returns_at_once_and_the_futures_still_complete(self):
        pool = self.executor()
        future = pool.submit("sleep", {"ms": 1500})
        started = time.monotonic()
        pool.shutdown(wait=False)
        self.assertLess(time.monotonic() - started, 1.0)
        self.assertFalse(future.done())
        self.assertGreaterEqual(future.result(timeout=60)["sleptMs"], 1500)

    def test_shutdown_with_wait_waits_for_the_batches_of_map(self):
        pool = self.executor()
        results = pool.map("sleep", [{"ms": 300}, {"ms": 300}], chunksize=1)  # never read
        pool.shutdown(wait=True)
        self.assertEqual("SUCCEEDED", self.client.get_batch(results.batch_id)["state"])

    def test_cancel_futures_cancels_the_queued_tasks_and_leaves_the_running_ones(self):
        pool = self.executor()
        running = [pool.submit("sleep", {"ms": 600000}, priority=1000, timeoutMs=600000) for _ in range(2)]
        for future in running:
            self.addCleanup(cancel_if_running, self.client, future.task_id)
        eventually(lambda: all(self.remote_state(f.task_id) == "RUNNING" for f in running),
                   what="both workers run a sleep")
        queued = [pool.submit("noop", {"n": n}) for n in range(3)]
        pool.shutdown(wait=False, cancel_futures=True)
        self.assertTrue(all(future.cancelled() for future in queued))
        self.assertEqual(["CANCELLED"] * 3, [self.remote_state(f.task_id) for f in queued])
        self.assertEqual(["RUNNING"] * 2, [self.remote_state(f.task_id) for f in running])
        self.assertFalse(any(future.done() for future in running))

    def test_cancel_futures_cancels_unfinished_batches(self):
        pool = self.executor()
        results = pool.map("sleep", [{"ms": 600000}], timeoutMs=600000)
        pool.shutdown(wait=True, cancel_futures=True)
        self.assertEqual("CANCELLED", self.client.get_batch(results.batch_id)["state"])


if __name__ == "__main__":
    unittest.main()
