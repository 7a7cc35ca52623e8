"""``python -m taskpool_client``, run as a separate process against the real service."""

import json
import os
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

from live_service import cancel_if_running, eventually, shared_service
from taskpool_client import TaskpoolClient

CLIENT_ROOT = Path(__file__).resolve().parents[1]

service = None


def setUpModule():
    global service
    service = shared_service()


class CliTest(unittest.TestCase):

    def setUp(self):
        self.client = TaskpoolClient(service.url)
        self.addCleanup(self.client.close)

    def run_cli(self, *args, url=True, env=None, stdin=None):
        """Runs the command line and returns (exit status, stdout lines parsed as JSON, stderr)."""
        command = [sys.executable, "-m", "taskpool_client"] + (["--url", service.url] if url else []) + list(args)
        environment = {k: v for k, v in os.environ.items() if k not in ("TASKPOOL_URL", "TASKPOOL_API_KEY")}
        environment["PYTHONPATH"] = os.pathsep.join(filter(None, [str(CLIENT_ROOT), environment.get("PYTHONPATH")]))
        environment.update(env or {})
        done = subprocess.run(command, env=environment, input=stdin, capture_output=True, text=True, timeout=120)
        lines = [json.loads(line) for line in done.stdout.splitlines()]
        return done.returncode, lines, done.stderr

    def inputs_file(self, lines):
        file = tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False)
        with file:
            file.write("\n".join(lines) + "\n")
        self.addCleanup(os.unlink, file.name)
        return file.name

    def test_submit_and_wait_prints_the_finished_task(self):
        status, [task], _ = self.run_cli("submit", "primes.count", '{"below": 1000000}', "--wait")
        self.assertEqual(0, status)
        self.assertEqual(("SUCCEEDED", {"count": 78498}), (task["state"], task["result"]))

    def test_submit_prints_the_queued_task_and_status_follows_it(self):
        status, [task], _ = self.run_cli("submit", "noop", '{"a": 1}', "--priority", "3", "--label", "team=search")
        self.assertEqual(0, status)
        self.assertEqual((3, {"team": "search"}), (task["priority"], task["labels"]))
        status, [seen], _ = self.run_cli("status", task["id"], "--wait")
        self.assertEqual((0, "SUCCEEDED", {"a": 1}), (status, seen["state"], seen["result"]))

    def test_the_url_may_come_from_the_environment(self):
        status, [task], _ = self.run_cli("submit", "noop", "--wait", url=False, env={"TASKPOOL_URL": service.url})
        self.assertEqual((0, "SUCCEEDED"), (status, task["state"]))

    def test_without_a_url_it_is_a_usage_error(self):
        status, _, stderr = self.run_cli("status", "x", url=False)
        self.assertEqual(2, status)
        self.assertIn("TASKPOOL_URL", stderr)

    def test_map_prints_one_result_per_input_in_input_order(self):
        inputs = self.inputs_file(['{"ms": 600}', "", '{"ms": 0}', '{"ms": 300}'])
        status, results, _ = self.run_cli("map", "sleep", inputs, "--chunk-size", "1")
        self.assertEqual(0, status)
        self.assertEqual(3, len(results))
        self.assertGreaterEqual(results[0]["sleptMs"], 600)
        self.assertLess(results[1]["sleptMs"], 300)
        self.assertGreaterEqual(results[2]["sleptMs"], 300)

    def test_map_reads_stdin(self):
        status, results, _ = self.run_cli("map", "noop", "-", stdin='{"i": 1}\n{"i": 2}\n')
        self.assertEqual((0, [{"i": 1}, {"i": 2}]), (status, results))

    def test_map_stops_at_a_failed_item_and_says_which(self):
        inputs = self.inputs_file(['{"value": 1}', '{"fail": "no can do"}', '{"value": 3}'])
        status, results, stderr = self.run_cli("map", "pyscript", inputs, "--chunk-size", "1")
        self.assertEqual(1, status)
        self.assertEqual([{"value": 1}], results)
        self.assertIn("item 1", stderr)
        self.assertIn("no can do", stderr)

    def test_a_failed_task_exits_non_zero(self):
        status, [task], stderr = self.run_cli("submit", "pyscript", '{"fail": "broken"}', "--wait")
        self.assertEqual((1, "FAILED"), (status, task["state"]))
        self.assertIn("TASK_FAILED", stderr)

    def test_cancel_stops_a_running_task(self):
        task = self.client.submit_task("sleep", {"ms": 600000}, timeoutMs=600000)
        self.addCleanup(cancel_if_running, self.client, task["id"])
        eventually(lambda: self.client.get_task(task["id"])["state"] == "RUNNING", what="the sleep runs")
        status, [cancelled], _ = self.run_cli("cancel", task["id"])
        self.assertEqual((0, "CANCELLED"), (status, cancelled["state"]))

    def test_a_refused_request_prints_the_problem(self):
        status, _, stderr = self.run_cli("submit", "fibonacci", "{}")
        self.assertEqual(1, status)
        self.assertIn("Invalid request (400)", stderr)
        self.assertIn("unknown task type 'fibonacci'", stderr)

    def test_an_unknown_task_is_not_found(self):
        status, _, stderr = self.run_cli("status", "0b7f6d3e-2c4a-4f7e-9a51-1f2d3c4b5a69")
        self.assertEqual(1, status)
        self.assertIn("Task not found (404)", stderr)

    def test_input_that_is_not_json_is_a_usage_error(self):
        status, _, stderr = self.run_cli("submit", "noop", "{not json")
        self.assertEqual(2, status)
        self.assertIn("INPUT is not JSON", stderr)


if __name__ == "__main__":
    unittest.main()
