"""Reports progress on stderr, logs a line, then waits until {"release": path} exists and succeeds."""
import json
import os
import sys
import time

task = json.load(sys.stdin)
print("starting", file=sys.stderr)
print(json.dumps({"progress": 0.5, "message": "halfway"}), file=sys.stderr, flush=True)
deadline = time.monotonic() + 60
while not os.path.exists(task["release"]) and time.monotonic() < deadline:
    time.sleep(0.02)
print(json.dumps({"progress": 1.0, "message": "done"}), file=sys.stderr, flush=True)
json.dump({"released": os.path.exists(task["release"])}, sys.stdout)
