"""The tutorial's answer for CPU-bound work: its cpu program with a multiprocessing.Pool.

  python cpu_multiprocessing.py [--tasks 20] [--base 10000000] [--workers N]   (default: Pool(), one per core)

The same numbers as cpu_sequential.py, mapped over the pool (pool.map(cpu_bound, numbers)); the time includes
starting and stopping the pool, as in the tutorial's program. Prints one JSON line: {"peer":
"python-multiprocessing", "tasks": N, "base": B, "workers": W, "wall_s": S, "sums": ["...", ...]}.
"""
import argparse
import json
import multiprocessing
import os
import time


def cpu_bound(number):
    return sum(i * i for i in range(number))


def calculate_sums(numbers, workers):
    with multiprocessing.Pool(workers) as pool:
        return pool.map(cpu_bound, numbers)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--tasks", type=int, default=20)
    parser.add_argument("--base", type=int, default=10_000_000)
    parser.add_argument("--workers", type=int, default=None)
    options = parser.parse_args()
    start_time = time.perf_counter()
    numbers = [options.base + x for x in range(options.tasks)]
    sums = calculate_sums(numbers, options.workers)
    end_time = time.perf_counter()
    print(json.dumps({"peer": "python-multiprocessing", "tasks": options.tasks, "base": options.base,
                      "workers": options.workers or os.cpu_count(), "wall_s": end_time - start_time,
                      "sums": [str(s) for s in sums]}))


if __name__ == "__main__":
    main()
