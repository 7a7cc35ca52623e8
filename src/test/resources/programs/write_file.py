"""Writes {"bytes": n} zero bytes to a file in its working directory and reports how many it wrote."""
import json
import sys

task = json.load(sys.stdin)
with open("written.bin", "wb") as out:
    out.write(bytes(task["bytes"]))
print(json.dumps({"written": task["bytes"]}))
