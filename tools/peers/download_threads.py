"""The tutorial's thread-pool + requests download program (the lesson before asyncio), reading URLs from a file.

  python download_threads.py URLFILE [--workers N]     (the tutorial uses 5 workers)

Prints one JSON line: {"peer": "python-threads-requests", "workers": N, "pages": N, "failed": F, "bytes": B,
"wall_s": S}.
"""
import argparse
import concurrent.futures
import json
import time

import requests


def download_one(url):
    resp = requests.get(url)
    return resp.status_code, len(resp.content)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("urls")
    parser.add_argument("--workers", type=int, default=5)
    options = parser.parse_args()
    with open(options.urls) as f:
        sites = [line.strip() for line in f if line.strip() and not line.startswith("#")]
    start_time = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(max_workers=options.workers) as executor:
        results = list(executor.map(download_one, sites))
    end_time = time.perf_counter()
    ok = [r for r in results if r[0] == 200]
    print(json.dumps({"peer": "python-threads-requests", "workers": options.workers, "pages": len(sites),
                      "failed": len(sites) - len(ok), "bytes": sum(r[1] for r in ok),
                      "wall_s": end_time - start_time}))


if __name__ == "__main__":
    main()
