"""Kills the service that runs it (its worker's parent) with SIGKILL, as a task that takes the
service down with it would. Waits a few seconds first, so that the test sees the service ready."""
import json
import os
import signal
import sys
import time

json.load(sys.stdin)
time.sleep(8)
worker = os.getppid()
with open(f"/proc/{worker}/stat") as stat:
    service = int(stat.read().rsplit(")", 1)[1].split()[1])
os.kill(service, signal.SIGKILL)
time.sleep(60)
