#!/usr/bin/env python3
"""Word frequencies of a text: a taskpool program task type.

Input (JSON on stdin):  {"text": "...", "top": 10, "minLength": 1, "ignoreCase": true}
Result (JSON on stdout): {"words": 12, "distinct": 9, "top": [{"word": "the", "count": 3}, ...]}

Progress goes to stderr as one JSON object per line, {"progress": 0.4, "message": "..."};
any other stderr line is a log line. A bad input exits with status 2 and says why on stderr,
which the task's error message then shows.
"""
import json
import re
import sys
from collections import Counter

# Letters and digits, with inner apostrophes and hyphens: "don't", "well-known".
WORD = re.compile(r"[^\W_]+(?:['\u2019-][^\W_]+)*")
# How many progress lines a long text gets at most.
PROGRESS_STEPS = 20


def progress(fraction, message):
    print(json.dumps({"progress": fraction, "message": message}), file=sys.stderr, flush=True)


def fail(message):
    print(message, file=sys.stderr)
    sys.exit(2)


def read_input():
    try:
        task = json.load(sys.stdin)
    except json.JSONDecodeError as e:
        fail(f"input is not JSON: {e}")
    text = task.get("text")
    if not isinstance(text, str):
        fail("input field 'text' is required and must be a string")
    top = task.get("top", 10)
    if not isinstance(top, int) or isinstance(top, bool) or not 1 <= top <= 1000:
        fail("input field 'top' must be an integer between 1 and 1000")
    min_length = task.get("minLength", 1)
    if not isinstance(min_length, int) or isinstance(min_length, bool) or min_length < 1:
        fail("input field 'minLength' must be a positive integer")
    ignore_case = task.get("ignoreCase", True)
    if not isinstance(ignore_case, bool):
        fail("input field 'ignoreCase' must be true or false")
    return text, top, min_length, ignore_case


def main():
    text, top, min_length, ignore_case = read_input()
    lines = text.splitlines() or [""]
    step = max(1, len(lines) // PROGRESS_STEPS)
    counts = Counter()
    for number, line in enumerate(lines, start=1):
        for word in WORD.findall(line.casefold() if ignore_case else line):
            if len(word) >= min_length:
                counts[word] += 1
        if number % step == 0:
            progress(number / len(lines), f"counted {number} of {len(lines)} lines")
    print(f"{sum(counts.values())} words, {len(counts)} distinct", file=sys.stderr)
    # Most frequent first; ties in alphabetical order, so the same text always gives the same answer.
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:top]
    json.dump({
        "words": sum(counts.values()),
        "distinct": len(counts),
        "top": [{"word": word, "count": count} for word, count in ranked],
    }, sys.stdout)


if __name__ == "__main__":
    main()
