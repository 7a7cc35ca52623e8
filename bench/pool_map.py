#!/usr/bin/env python3
"""Peer of figure 2: multiprocessing.Pool.map over ITEMS no-op calls, chunksize 1 and automatic.

The peer scripts in PEERS_DIR measure Pool.map at their own N with chunksizes 1 and 256; this
measures it at the batch's size, with the chunk size Pool.map picks itself, using the peers'
own noop (peerlib.py), so both sides run the same function. Prints one JSON line.
Usage: pool_map.py PEERS_DIR ITEMS ROUNDS
"""
import json
import multiprocessing
import os
import statistics
import sys
import time

peers, items, rounds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
sys.path.insert(0, peers)
from peerlib import noop  # noqa: E402


def spread(values):
    return {"min": min(values), "median": round(statistics.median(values)), "max": max(values), "rounds": values}


if __name__ == "__main__":
    result = {"figure": "peer_pool_map_items_per_s", "items": items, "processes": os.cpu_count(),
              "python": sys.version.split()[0]}
    with multiprocessing.Pool(processes=os.cpu_count()) as pool:
        pool.map(noop, range(1000), chunksize=1)  # workers up
        for label, chunksize in (("chunksize_1", 1), ("chunksize_auto", None)):
            rates = []
            for _ in range(rounds):
                start = time.perf_counter()
                out = pool.map(noop, range(items), chunksize=chunksize)
                rates.append(round(items / (time.perf_counter() - start)))
                assert len(out) == items
            result[label] = spread(rates)
    print(json.dumps(result), flush=True)
