"""Logs a few lines to stderr, then exits with the code of {"code": n}."""
import json
import sys

task = json.load(sys.stdin)
for i in range(30):
    print(f"log line {i}", file=sys.stderr)
print("something went badly wrong", file=sys.stderr)
sys.exit(task.get("code", 1))
