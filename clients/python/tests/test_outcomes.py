"""What a finished task or batch item becomes in Python; no service needed."""

import unittest
from concurrent.futures import CancelledError

from taskpool_client import TaskFailed, TaskTimedOut
from taskpool_client.errors import exception_type_of, failure_of, value_of


def finished(state, code=None, message=None, detail=None, **extra):
    error = None if code is None else {"code": code, "message": message, "detail": detail}
    return {"id": "t-1", "state": state, "result": None, "error": error, **extra}


class OutcomeTest(unittest.TestCase):

    def test_a_success_is_its_result(self):
        self.assertEqual({"count": 4}, value_of({"index": 0, "state": "SUCCEEDED", "result": {"count": 4}}))

    def test_a_failure_carries_code_message_detail_and_the_task(self):
        failure = failure_of(finished("FAILED", "WORKER_CRASHED", "the worker process exited with code 137",
                                      "last stderr lines"))
        self.assertIsInstance(failure, TaskFailed)
        self.assertEqual("WORKER_CRASHED", failure.code)
        self.assertEqual("the worker process exited with code 137", failure.message)
        self.assertEqual("last stderr lines", failure.detail)
        self.assertEqual("t-1", failure.task_id)
        self.assertIsNone(failure.exception_type, "a crash is not an exception")

    def test_a_handler_exception_is_named(self):
        self.assertEqual("io.taskpool.spi.InvalidInputException", exception_type_of(
            {"code": "TASK_FAILED", "message": "io.taskpool.spi.InvalidInputException: input field 'below' is required"}))
        self.assertEqual("ProgramFailed", exception_type_of(
            {"code": "TASK_FAILED", "message": "ProgramFailed: program wc exited with code 1; last stderr lines:\nx"}))
        self.assertIsNone(exception_type_of({"code": "TASK_FAILED", "message": "something: went wrong"}))
        self.assertIsNone(exception_type_of({"code": "OUT_OF_MEMORY", "message": "java.lang.OutOfMemoryError: heap"}))

    def test_timed_out_is_a_timeout_error(self):
        failure = failure_of(finished("TIMED_OUT", "TIMED_OUT", "ran longer than 200 ms"))
        self.assertIsInstance(failure, TaskTimedOut)
        self.assertIsInstance(failure, TimeoutError)
        self.assertEqual("ran longer than 200 ms", failure.message)

    def test_cancelled_is_a_cancelled_error(self):
        with self.assertRaises(CancelledError):
            value_of(finished("CANCELLED", "CANCELLED", "cancelled while queued"))

    def test_a_batch_item_failure_names_its_index(self):
        failure = failure_of({"index": 7, "state": "FAILED", "result": None,
                              "error": {"code": "TASK_FAILED", "message": "ProgramFailed: exit 1"}})
        self.assertEqual(7, failure.index)

    def test_a_task_still_running_has_no_outcome(self):
        with self.assertRaises(ValueError):
            failure_of(finished("RUNNING"))


if __name__ == "__main__":
    unittest.main()
