#!/usr/bin/env python3
"""Percentiles of one Prometheus histogram read from standard input (a /metrics page).

  curl -s http://127.0.0.1:PORT/metrics | histogram.py METRIC [LABEL]

Prints p50, p99 and the count, each as the upper bound of the bucket it falls in (the
resolution of the exporter's buckets)."""

import re
import sys


def main() -> None:
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    metric = sys.argv[1]
    label = sys.argv[2] if len(sys.argv) == 3 else metric
    buckets = []
    pattern = re.compile(rf'^{re.escape(metric)}_bucket\{{.*le="([^"]+)".*\}} ([0-9.e+]+)$')
    for line in sys.stdin:
        m = pattern.match(line.strip())
        if m:
            buckets.append((float(m.group(1)), float(m.group(2))))
    if not buckets:
        sys.exit(f"{metric}: no histogram on the page")
    buckets.sort()
    total = buckets[-1][1]
    if total == 0:
        print(f"{label}: no samples")
        return

    def rank(q: float) -> str:
        for le, n in buckets:
            if n >= q * total:
                return "above the last bucket" if le == float("inf") else f"<= {le * 1e3:g} ms"
        return "?"

    print(f"{label}: p50 {rank(0.5)}, p99 {rank(0.99)} ({int(total)} samples)")


if __name__ == "__main__":
    main()
