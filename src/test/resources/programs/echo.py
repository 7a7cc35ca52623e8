"""Answers with its input, its working directory and its task id, as JSON."""
import json
import os
import sys

task = json.load(sys.stdin)
json.dump({"input": task, "cwd": os.getcwd(), "taskId": os.environ.get("TASKPOOL_TASK_ID")}, sys.stdout)
