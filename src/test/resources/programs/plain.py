"""Writes text that is not JSON."""
import sys

sys.stdin.read()
print("hello from a program")
print("second line")
