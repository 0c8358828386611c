"""The tutorial's cpu program with a thread pool, to show the GIL: CPython threads run Python code one at a time.

  python cpu_threads.py [--tasks 20] [--base 10000000] [--workers N]   (default: ThreadPoolExecutor's own)

The same numbers as cpu_sequential.py, mapped over a concurrent.futures.ThreadPoolExecutor (the tutorial's pool
from its download lesson); expect about the sequential time. Prints one JSON line: {"peer": "python-threads",
"tasks": N, "base": B, "workers": W, "wall_s": S, "sums": ["...", ...]}.
"""
import argparse
import concurrent.futures
import json
import os
import time


def cpu_bound(number):
    return sum(i * i for i in range(number))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--tasks", type=int, default=20)
    parser.add_argument("--base", type=int, default=10_000_000)
    parser.add_argument("--workers", type=int, default=None)
    options = parser.parse_args()
    start_time = time.perf_counter()
    numbers = [options.base + x for x in range(options.tasks)]
    # ThreadPoolExecutor's documented default (Python 3.8+), so the output says what ran.
    workers = options.workers or min(32, (os.cpu_count() or 1) + 4)
    with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as executor:
        sums = list(executor.map(cpu_bound, numbers))
    end_time = time.perf_counter()
    print(json.dumps({"peer": "python-threads", "tasks": options.tasks, "base": options.base, "workers": workers,
                      "wall_s": end_time - start_time, "sums": [str(s) for s in sums]}))


if __name__ == "__main__":
    main()
