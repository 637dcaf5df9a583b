"""User-agent parsing cost: services/useragent.classify (ua-parser 1.0's fastest installed
resolver) against user_agents.parse (the library's pure-Python parse, what classify used
before), on distinct generated user agents (bench/uagen.py), uncached, then cached.

    .venv/bin/python bench/useragent.py [--agents 10000]
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import ua_parser  # noqa: E402
import user_agents  # noqa: E402
from uagen import user_agents as generated  # noqa: E402

from consent_server.services import useragent  # noqa: E402


def per_agent(fn, agents) -> float:
    started = time.perf_counter()
    for a in agents:
        fn(a)
    return (time.perf_counter() - started) / len(agents) * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agents", type=int, default=10_000)
    args = parser.parse_args()
    agents = generated(args.agents, seed=5)
    started = time.perf_counter()
    resolver = useragent.resolver()
    built = time.perf_counter() - started
    fast = per_agent(useragent.classify.__wrapped__, agents)
    slow = per_agent(user_agents.parse, agents)
    useragent.classify.cache_clear()
    per_agent(useragent.classify, agents)
    cached = per_agent(useragent.classify, agents)
    print(f"{len(agents):,} distinct user agents, ua-parser {'.'.join(map(str, ua_parser.VERSION))}, "
          f"resolver {type(resolver).__module__}.{type(resolver).__name__} (built in {built * 1000:.0f} ms), "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
    print(f"{'path':<44} {'us per user agent':>18} {'ratio':>8}")
    print(f"{'user_agents.parse (pure Python)':<44} {slow:>18.1f} {'1.00':>8}")
    print(f"{'classify, unseen (fast resolver)':<44} {fast:>18.1f} {slow / fast:>7.1f}x")
    print(f"{'classify, cached (lru_cache hit)':<44} {cached:>18.2f} {slow / cached:>7.0f}x")


if __name__ == "__main__":
    main()
