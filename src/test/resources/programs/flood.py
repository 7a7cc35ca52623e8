"""Writes {"bytes": n} bytes of 'x' to stdout, then, if {"hang": true}, waits to be stopped."""
import json
import sys
import time

task = json.load(sys.stdin)
remaining = task["bytes"]
while remaining > 0:
    chunk = min(remaining, 65536)
    sys.stdout.write("x" * chunk)
    remaining -= chunk
sys.stdout.flush()
if task.get("hang"):
    time.sleep(600)
