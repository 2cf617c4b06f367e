#!/usr/bin/env python3
"""Fails when a benchmark's p90 malloc count rose above its committed threshold.

package-benchmark's own `thresholds check` does not find the files its `thresholds update`
wrote on this plugin version, so this compares them directly: the committed files in
Thresholds/ against a fresh `thresholds update --path <dir>` run.

    check-thresholds.py <committed dir> <fresh dir>

Every committed threshold must have a fresh value (a benchmark renamed or gone is an error),
and no fresh malloc count may exceed the committed one by more than 1 % or 8, whichever is
more (the allocator's own bookkeeping moves a few counts between runs). Times are not
checked: this machine is too noisy for them. Prints one line per benchmark.
"""
import json
import os
import sys

TOLERANCE = 0.01
# A count or a few move between runs (the allocator's and the runtime's own bookkeeping); one
# allocation per packet or per viewer adds hundreds to these samples.
SLACK = 8


def load(directory):
    values = {}
    for name in sorted(os.listdir(directory)):
        if name.endswith(".p90.json"):
            with open(os.path.join(directory, name)) as f:
                values[name[: -len(".p90.json")]] = json.load(f)
    return values


def main():
    if len(sys.argv) != 3:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    expected = (("The committed thresholds", "is it checked out?"), ("The fresh results", "did the benchmark run write them?"))
    for directory, (what, why) in zip(sys.argv[1:], expected):
        if not os.path.isdir(directory):
            print(f"{what} are not in {directory}: not a directory ({why})", file=sys.stderr)
            return 1
    committed, fresh = load(sys.argv[1]), load(sys.argv[2])
    if not committed:
        print(f"no thresholds in {sys.argv[1]}", file=sys.stderr)
        return 2
    failed = 0
    for name, limits in committed.items():
        current = fresh.get(name)
        if current is None:
            print(f"MISSING  {name}: no fresh result (renamed or removed?)")
            failed += 1
            continue
        # Malloc counts only: times and throughput on a shared 2-core machine are noise.
        for metric, limit in ((m, v) for m, v in limits.items() if m.startswith("malloc")):
            value = current.get(metric)
            if value is None:
                print(f"MISSING  {name} {metric}")
                failed += 1
            elif value > max(limit * (1 + TOLERANCE), limit + SLACK):
                print(f"WORSE    {name} {metric}: {value} > {limit}")
                failed += 1
            else:
                print(f"ok       {name} {metric}: {value} (threshold {limit})")
    for name in sorted(set(fresh) - set(committed)):
        print(f"new      {name}: no committed threshold (thresholds update to add it)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
