"""The tutorial's asyncio + aiohttp download program, reading its URLs from a file.

  python download_asyncio.py URLFILE

As in the tutorial: one task per site (asyncio.create_task), each with its own ClientSession, all gathered.
Prints one JSON line: {"peer": "python-asyncio-aiohttp", "pages": N, "failed": F, "bytes": B, "wall_s": S}.
"""
import asyncio
import json
import sys
import time

import aiohttp


async def download_one(url):
    async with aiohttp.ClientSession() as session:
        async with session.get(url) as resp:
            body = await resp.read()
            return resp.status, len(body)


async def download_all(sites):
    tasks = [asyncio.create_task(download_one(site)) for site in sites]
    return await asyncio.gather(*tasks, return_exceptions=True)


def main():
    with open(sys.argv[1]) as f:
        sites = [line.strip() for line in f if line.strip() and not line.startswith("#")]
    start_time = time.perf_counter()
    results = asyncio.run(download_all(sites))
    end_time = time.perf_counter()
    ok = [r for r in results if isinstance(r, tuple) and r[0] == 200]
    print(json.dumps({"peer": "python-asyncio-aiohttp", "pages": len(sites), "failed": len(sites) - len(ok),
                      "bytes": sum(r[1] for r in ok), "wall_s": end_time - start_time}))


if __name__ == "__main__":
    main()
