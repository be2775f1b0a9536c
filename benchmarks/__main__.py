"""`python -m benchmarks [--quick]`: every benchmark, one table of figures, baselines and ratios,
and after each suite the worst event-loop stall its app saw (target 100 ms)."""

from __future__ import annotations

import argparse
import asyncio
import importlib
import platform
import sys
import time
from typing import Any

from benchmarks.common import reset_stalls, worst_stall_row

SUITES = [
    "benchmarks.ingest",
    "benchmarks.startup",
    "benchmarks.digest_bench",
    "benchmarks.conversations_bench",
    "benchmarks.filters_bench",
    "benchmarks.commands_bench",
    "benchmarks.questions_bench",
    "benchmarks.gazetteer_bench",
    "benchmarks.pg",
]


def main() -> int:
    """Run the benchmarks (all, or `--only` one) and print one table."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks")
    parser.add_argument("--quick", action="store_true", help="smaller runs, under a minute in all")
    parser.add_argument("--only", help="run one suite, e.g. ingest")
    args = parser.parse_args()
    rows: list[tuple[str, str, str, str]] = []
    began = time.perf_counter()
    for name in SUITES:
        if args.only and not name.endswith(args.only):
            continue
        try:
            module: Any = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:
                rows.append((name.split(".")[-1], "not built yet", "", ""))
                continue
            raise
        reset_stalls()
        rows += asyncio.run(module.run(args.quick))
        rows.append(worst_stall_row(name.split(".")[-1]))
    widths = [max(len(r[i]) for r in [("benchmark", "figure", "baseline", "ratio"), *rows]) for i in range(4)]
    header = ("benchmark", "figure", "baseline (same run)", "ratio")
    print(" | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)))
    print("-+-".join("-" * w for w in widths))
    for row in rows:
        print(" | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)))
    print(
        f"\n{platform.python_implementation()} {platform.python_version()} on {platform.machine()}, "
        f"{time.perf_counter() - began:.0f} s in all"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
