#!/usr/bin/env python3
"""Prints the criterion medians of the last `cargo bench` run as a Markdown table.

Usage: scripts/bench-summary.py [target/criterion]
For each `due` duration it also prints the ratio naive-day-walk / compiled.
"""
import json
import pathlib
import sys


def median_ns(path):
    est = json.loads((path / "new" / "estimates.json").read_text())
    return est["median"]["point_estimate"]


def fmt(ns):
    if ns >= 1e6:
        return f"{ns / 1e6:.2f} ms"
    return f"{ns / 1000:.3f} µs" if ns >= 1000 else f"{ns:.1f} ns"


def main():
    root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "target/criterion")
    rows = []
    for bench in sorted(root.glob("**/new/estimates.json")):
        d = bench.parent.parent
        name = str(d.relative_to(root))
        if "report" in name:
            continue
        rows.append((name, median_ns(d)))
    print("| benchmark | median |")
    print("| --- | --- |")
    for name, ns in rows:
        print(f"| `{name}` | {fmt(ns)} |")
    medians = dict(rows)
    ratios = []
    for name, ns in rows:
        if name.startswith("due/compiled/"):
            unit = name.rsplit("/", 1)[1]
            naive = medians.get(f"due/naive-day-walk/{unit}")
            if naive:
                ratios.append((unit, naive / ns))
    if ratios:
        print()
        print("| due | naive day walk / compiled |")
        print("| --- | --- |")
        for unit, r in ratios:
            print(f"| {unit} | {r:.2f}× |")


if __name__ == "__main__":
    main()
