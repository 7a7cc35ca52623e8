"""The real taskpool service, started once per test run for every test module that needs it.

It runs ``target/taskpool.jar`` (or ``$TASKPOOL_JAR``) on free ports, with a fresh H2 store in a
temporary directory, two workers, and one program task type written here:

``pyscript``: ``{"fail": reason}`` exits 1 with the reason on stderr (``TASK_FAILED``);
``{"value": v}`` prints ``{"value": v}`` as its result; either after ``sleepMs`` if given.

The process group is killed when the test run ends, workers included.
"""

from __future__ import annotations

import atexit
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Callable, Optional

from taskpool_client import TaskpoolError

REPO_ROOT = Path(__file__).resolve().parents[3]
WORKERS = 2
READY_SECONDS = 180

PYSCRIPT = """\
import json, sys, time
task = json.load(sys.stdin)
time.sleep(task.get("sleepMs", 0) / 1000)
if "fail" in task:
    print(task["fail"], file=sys.stderr)
    sys.exit(1)
print(json.dumps({"value": task.get("value")}))
"""


class LiveService:
    def __init__(self) -> None:
        self.workdir = Path(tempfile.mkdtemp(prefix="taskpool-client-tests-"))
        self.api_port = free_port()
        self.management_port = free_port()
        self.url = f"http://127.0.0.1:{self.api_port}"
        self.log_path = self.workdir / "service.log"
        self._process: Optional[subprocess.Popen] = None

    def start(self) -> None:
        jar = Path(os.environ.get("TASKPOOL_JAR", REPO_ROOT / "target" / "taskpool.jar"))
        if not jar.is_file():
            raise RuntimeError(f"{jar} is missing; build it with ./mvnw -B package -DskipTests")
        script = self.workdir / "pyscript.py"
        script.write_text(PYSCRIPT)
        command = [
            "java", "-jar", str(jar),
            f"--server.port={self.api_port}",
            f"--management.server.port={self.management_port}",
            f"--spring.datasource.url=jdbc:h2:file:{self.workdir}/store/taskpool;WRITE_DELAY=0;DB_CLOSE_ON_EXIT=FALSE",
            f"--taskpool.workers.count={WORKERS}",
            f"--taskpool.workers.plugins-dir={self.workdir}/plugins",
            f"--taskpool.programs.pyscript.argv=python3,{script}",
            "--taskpool.programs.pyscript.description=test program: fails on {fail}, echoes {value}",
        ]
        with open(self.log_path, "wb") as log:
            # A session of its own: stop() kills the service and its worker JVMs as one group.
            self._process = subprocess.Popen(command, cwd=self.workdir, stdout=log, stderr=subprocess.STDOUT,
                                             stdin=subprocess.DEVNULL, start_new_session=True)
        self._await_readiness()

    def _await_readiness(self) -> None:
        readiness = f"http://127.0.0.1:{self.management_port}/actuator/health/readiness"
        deadline = time.monotonic() + READY_SECONDS
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"the service exited with {self._process.returncode}:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(readiness, timeout=5) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.2)  # the pace of the readiness probe, not a synchronisation
        self.stop()
        raise RuntimeError(f"the service was not ready within {READY_SECONDS} s:\n{self.log_tail()}")

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            _signal_group(self._process.pid, signal.SIGTERM)
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
            _signal_group(self._process.pid, signal.SIGKILL)  # the workers too, whatever happened
            self._process.wait()
        shutil.rmtree(self.workdir, ignore_errors=True)

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"


_shared: Optional[LiveService] = None
_start_failure: Optional[BaseException] = None


def shared_service() -> LiveService:
    """The service of this test run, started on first use and stopped when the run ends."""
    global _shared, _start_failure
    if _start_failure is not None:
        raise RuntimeError("the service failed to start earlier in this run") from _start_failure
    if _shared is None:
        service = LiveService()
        atexit.register(service.stop)
        _exit_on_sigterm()
        try:
            service.start()
        except BaseException as failure:
            _start_failure = failure
            raise
        _shared = service
    return _shared


def _exit_on_sigterm() -> None:
    """A run stopped with SIGTERM (a CI timeout, say) still stops the service: exiting through
    SystemExit runs the atexit hooks, which the default action of SIGTERM skips."""
    if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
        signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _signal_group(pid: int, signum: int) -> None:
    try:
        os.killpg(pid, signum)
    except ProcessLookupError:
        pass


def eventually(condition: Callable[[], object], timeout: float = 30.0, what: str = "the condition") -> object:
    """Waits until ``condition()`` is truthy and returns it; fails after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"{what} did not hold within {timeout} s")
        time.sleep(0.05)  # polling pace under a deadline


def occupy_workers(test, client, submit=None) -> list:
    """Fills every worker with a long sleep, so that tasks submitted next stay QUEUED.

    ``submit`` sends one blocker and returns its task id (default: through ``client``). The
    blockers go first whatever else is queued (top priority) and are cancelled when the test ends.
    """
    submit = submit or (lambda: client.submit_task("sleep", {"ms": 600000}, priority=1000, timeoutMs=600000)["id"])
    blockers = [submit() for _ in range(WORKERS)]
    for task_id in blockers:
        test.addCleanup(cancel_if_running, client, task_id)
    eventually(lambda: all(client.get_task(task_id)["state"] == "RUNNING" for task_id in blockers),
               what="every worker runs a blocker")
    return blockers


def cancel_if_running(client, task_id) -> None:
    try:
        client.cancel_task(task_id)
    except TaskpoolError as problem:
        if problem.status != 409:
            raise
