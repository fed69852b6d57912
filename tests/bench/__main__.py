"""`python3 build.py bench [parts...] [--runs R] [--n N]`; each part writes tests/bench/results/<part>.{json,md}."""
import argparse
import importlib
import inspect

PARTS = ["boot", "listing", "migration", "threads", "mainthread", "ondemand", "boottasks"]  # and "scale" (long), "desktop" (CPython): by name

parser = argparse.ArgumentParser(prog="build.py bench")
parser.add_argument("parts", nargs="*", default=PARTS, help=f"which benchmarks ({', '.join(PARTS)})")
parser.add_argument("--runs", type=int, default=5, help="repetitions; medians are reported")
parser.add_argument("--n", type=int, default=None, help="number of sessions, for parts that take one")
parser.add_argument("--long", action="store_true", help="longer series (migration: up to N = 1000; scale: also the largest N one JS string holds)")
args = parser.parse_args()
for part in args.parts:
    print(f"== {part}", flush=True)
    run = importlib.import_module(f"bench.{part}").run
    params = inspect.signature(run).parameters
    extra = {"n": args.n} if args.n and "n" in params else {}
    if args.long and "long" in params:
        extra["long"] = True
    run(runs=args.runs, **extra)
