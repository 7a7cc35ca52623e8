"""Starts a grandchild that sleeps, writes both pids to {"pidFile": path}, then sleeps itself;
with {"ignoreTerm": true} it ignores SIGTERM; with {"exitAfter": s} it exits after s seconds,
leaving the grandchild behind.

The pid file is written to a temporary name and renamed, so a reader never sees half of it.
"""
import json
import os
import subprocess
import sys
import time

task = json.load(sys.stdin)
if task.get("ignoreTerm"):
    import signal
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
grandchild = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
path = task["pidFile"]
with open(path + ".tmp", "w") as f:
    f.write(f"{os.getpid()} {grandchild.pid}")
os.rename(path + ".tmp", path)
if "exitAfter" in task:
    time.sleep(task["exitAfter"])
    sys.exit(0)
time.sleep(600)
