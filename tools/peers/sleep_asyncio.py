"""N tasks that each sleep once, on Python's asyncio: the anchor of conctrace's million-task run.

  python sleep_asyncio.py TASKS SLEEP_MS

One asyncio.create_task per task, all gathered (the tutorial's pattern). Prints one JSON line:
{"peer": "python-asyncio", "tasks": N, "wall_s": S} (time.perf_counter around creating and gathering the tasks).
"""
import asyncio
import json
import sys
import time


async def one(seconds):
    await asyncio.sleep(seconds)


async def run(tasks, seconds):
    pending = [asyncio.create_task(one(seconds)) for _ in range(tasks)]
    await asyncio.gather(*pending)


def main():
    tasks, sleep_ms = int(sys.argv[1]), float(sys.argv[2])
    start = time.perf_counter()
    asyncio.run(run(tasks, sleep_ms / 1000))
    print(json.dumps({"peer": "python-asyncio", "tasks": tasks, "wall_s": time.perf_counter() - start}))


if __name__ == "__main__":
    main()
