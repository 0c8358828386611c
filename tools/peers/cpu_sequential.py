"""The tutorial's cpu program (the thought exercise's conventional version): the sums of squares one after another.

  python cpu_sequential.py [--tasks 20] [--base 10000000]

As in the tutorial: numbers = [base + k for k in range(tasks)], and for each, sum(i * i for i in range(number)).
Instead of printing each sum, prints one JSON line: {"peer": "python-sequential", "tasks": N, "base": B,
"wall_s": S, "sums": ["...", ...]} (sums as decimal strings, exact: Python integers do not overflow).
"""
import argparse
import json
import time


def cpu_bound(number):
    return sum(i * i for i in range(number))


def calculate_sums(numbers):
    return [cpu_bound(number) for number in numbers]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--tasks", type=int, default=20)
    parser.add_argument("--base", type=int, default=10_000_000)
    options = parser.parse_args()
    start_time = time.perf_counter()
    numbers = [options.base + x for x in range(options.tasks)]
    sums = calculate_sums(numbers)
    end_time = time.perf_counter()
    print(json.dumps({"peer": "python-sequential", "tasks": options.tasks, "base": options.base,
                      "wall_s": end_time - start_time, "sums": [str(s) for s in sums]}))


if __name__ == "__main__":
    main()
