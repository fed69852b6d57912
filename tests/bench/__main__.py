"""`python3 build.py bench [parts...]` runs these; each part writes tests/bench/results/<part>.{json,md}."""
import argparse
import importlib

PARTS = ["boot", "listing"]

parser = argparse.ArgumentParser(prog="build.py bench")
parser.add_argument("parts", nargs="*", default=PARTS, help=f"which benchmarks ({', '.join(PARTS)})")
parser.add_argument("--runs", type=int, default=5)
args = parser.parse_args()
for part in args.parts:
    print(f"== {part}")
    importlib.import_module(f"bench.{part}").run(runs=args.runs)
