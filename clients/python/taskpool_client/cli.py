"""The command line: submit a task, map over a JSON Lines file, follow or cancel a task.

Output is JSON on stdout, one value per line. Exit status: 0 on success; 1 when a task or an
item did not succeed, the service refused a request or could not be reached (the reason goes
to stderr); 2 for a usage error.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from concurrent.futures import CancelledError
from typing import Any, List, Optional, Sequence, TextIO

from .client import TaskpoolClient
from .errors import TaskFailed, TaskpoolError, TaskTimedOut, failure_of, is_terminal
from .executor import TaskpoolExecutor

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2


class UsageError(Exception):
    pass


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    url = args.url or os.environ.get("TASKPOOL_URL")
    if not url:
        parser.error("no service URL: pass --url or set TASKPOOL_URL")
    api_key = args.api_key or os.environ.get("TASKPOOL_API_KEY")
    try:
        return args.command(args, url, api_key)
    except UsageError as error:
        parser.error(str(error))
    except TaskpoolError as problem:
        _complain(f"{problem.title} ({problem.status})" + (f": {problem.detail}" if problem.detail else ""))
    except OSError as error:
        _complain(f"cannot reach the service at {url}: {error}")
    except KeyboardInterrupt:
        return 130
    return EXIT_FAILED


# ---- commands ----

def _submit(args: argparse.Namespace, url: str, api_key: Optional[str]) -> int:
    client = TaskpoolClient(url, api_key)
    task = client.submit_task(args.type, _parse_json(args.input, "INPUT"), **_fields(args))
    if args.wait:
        task = client.wait_for_task(task["id"])
    _print(task)
    return _exit_for(task) if args.wait else EXIT_OK


def _status(args: argparse.Namespace, url: str, api_key: Optional[str]) -> int:
    client = TaskpoolClient(url, api_key)
    task = client.wait_for_task(args.id) if args.wait else client.get_task(args.id)
    _print(task)
    return _exit_for(task) if args.wait else EXIT_OK


def _cancel(args: argparse.Namespace, url: str, api_key: Optional[str]) -> int:
    _print(TaskpoolClient(url, api_key).cancel_task(args.id))
    return EXIT_OK


def _map(args: argparse.Namespace, url: str, api_key: Optional[str]) -> int:
    inputs = _read_json_lines(sys.stdin if args.file == "-" else None, args.file)
    with TaskpoolExecutor(url, api_key) as pool:
        run = pool.imap_unordered if args.unordered else pool.map
        results = run(args.type, inputs, chunksize=args.chunk_size, **_fields(args))
        try:
            for result in results:
                _print(result)
        except (TaskFailed, TaskTimedOut, CancelledError) as failure:
            index = getattr(failure, "index", None)
            _complain(f"item {index if index is not None else '?'} did not succeed: {_describe(failure)}")
            return EXIT_FAILED
        finally:
            results.close()
    return EXIT_OK


# ---- helpers of the commands ----

def _fields(args: argparse.Namespace) -> dict:
    fields: dict = {}
    if args.timeout_ms is not None:
        fields["timeoutMs"] = args.timeout_ms
    if args.priority is not None:
        fields["priority"] = args.priority
    if args.label:
        fields["labels"] = dict(_label(text) for text in args.label)
    return fields


def _label(text: str) -> "tuple[str, str]":
    name, equals, value = text.partition("=")
    if not equals or not name:
        raise UsageError(f"a label is NAME=VALUE, was {text!r}")
    return name, value


def _parse_json(text: Optional[str], what: str) -> Any:
    if text is None:
        return None
    if text == "-":
        text = sys.stdin.read()
    try:
        return json.loads(text)
    except ValueError as error:
        raise UsageError(f"{what} is not JSON: {error}") from None


def _read_json_lines(stream: Optional[TextIO], path: str) -> List[Any]:
    try:
        source = stream if stream is not None else open(path, encoding="utf-8")
    except OSError as error:
        raise UsageError(f"cannot read {path}: {error.strerror}") from None
    with source:
        inputs = []
        for number, line in enumerate(source, start=1):
            if line.strip():
                try:
                    inputs.append(json.loads(line))
                except ValueError as error:
                    raise UsageError(f"{path}, line {number}: not JSON: {error}") from None
        return inputs


def _exit_for(task: dict) -> int:
    if task["state"] == "SUCCEEDED":
        return EXIT_OK
    failure = failure_of(task) if is_terminal(task["state"]) else None
    _complain(f"task {task['id']} is {task['state']}" + (f": {_describe(failure)}" if failure else ""))
    return EXIT_FAILED


def _describe(failure: BaseException) -> str:
    text = str(failure)
    return f"{type(failure).__name__}: {text}" if text else type(failure).__name__


def _print(value: Any) -> None:
    print(json.dumps(value, ensure_ascii=False), flush=True)


def _complain(message: str) -> None:
    print(f"taskpool: {message}", file=sys.stderr)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m taskpool_client",
                                     description="Run compute tasks in a taskpool service.")
    parser.add_argument("--url", help="the service, such as http://localhost:8080 (default: $TASKPOOL_URL)")
    parser.add_argument("--api-key", help="sent as a bearer token (default: $TASKPOOL_API_KEY)")
    commands = parser.add_subparsers(dest="command_name", metavar="COMMAND", required=True)

    submit = commands.add_parser("submit", help="submit one task and print it")
    submit.add_argument("type", help="the task type, such as primes.count")
    submit.add_argument("input", nargs="?", help='the input object as JSON, such as \'{"below": 1000}\'; - reads stdin')
    submit.add_argument("--wait", action="store_true", help="wait until the task has ended and print it then")
    _add_submission_options(submit)
    submit.set_defaults(command=_submit)

    map_ = commands.add_parser("map", help="run a task type over every input of a file as one batch")
    map_.add_argument("type", help="the task type")
    map_.add_argument("file", help="inputs, one JSON object per line (JSON Lines); - reads stdin")
    map_.add_argument("--unordered", action="store_true", help="print each result as soon as it is ready")
    map_.add_argument("--chunk-size", type=int, help="consecutive inputs one worker takes at a time")
    _add_submission_options(map_)
    map_.set_defaults(command=_map)

    status = commands.add_parser("status", help="print a task")
    status.add_argument("id", help="the task id")
    status.add_argument("--wait", action="store_true", help="wait until the task has ended")
    status.set_defaults(command=_status)

    cancel = commands.add_parser("cancel", help="cancel a task, queued or running, and print it")
    cancel.add_argument("id", help="the task id")
    cancel.set_defaults(command=_cancel)
    return parser


def _add_submission_options(command: argparse.ArgumentParser) -> None:
    command.add_argument("--timeout-ms", type=int, help="time limit of each task, in milliseconds")
    command.add_argument("--priority", type=int, help="-1000 to 1000; higher runs first")
    command.add_argument("--label", action="append", metavar="NAME=VALUE", help="a label; may be repeated")
