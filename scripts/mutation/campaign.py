#!/usr/bin/env python3
"""Runs the mutants of allocator/ against the four detectors.

  campaign.py [--sample N] [--seed S] [--jobs J] [--fuzz-seconds T] [--check]
              [--only NUMBER...] [--report docs/MUTATION.md]

Reads build/mutation-schemata/mutants.tsv (written when the mutation presets
are configured), checks that every detector passes on the real allocator,
then runs every built mutant (or a sample of N, drawn with seed S) against
every detector, J mutants at a time. Results go to build/mutation/campaign/.
--check (the CI sample): stops at the first detector that kills a mutant,
skips the mutants listed as equivalent, and exits 1 if a mutant survives.
"""
import argparse
import json
import os
import platform
import random
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import detectors  # noqa: E402
import equivalents  # noqa: E402

ROOT = detectors.ROOT
SCHEMATA = os.path.join(ROOT, "build", "mutation-schemata")
OUT = os.path.join(ROOT, "build", "mutation", "campaign")
# The CI sample stops at the first kill, so the cheapest detectors go first.
CHECK_ORDER = ("props", "corpus", "fuzz_corpus", "fuzz_empty")


def read_mutants():
    with open(os.path.join(SCHEMATA, "mutants.tsv")) as f:
        header = f.readline().rstrip("\n").split("\t")
        rows = [dict(zip(header, line.rstrip("\n").split("\t"))) for line in f]
    for row in rows:
        row["number"] = int(row["number"])
    return rows


def machine():
    cpu = "unknown cpu"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kib = int(open("/proc/meminfo").readline().split()[1])
        memory = f", {kib / 2**20:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    return f"{cpu}, {os.cpu_count()} cores{memory}, {platform.system()} {platform.release()}"


def run_mutant(mutant, fuzz_seconds, check, names):
    results = {}
    for name in [n for n in (CHECK_ORDER if check else detectors.NAMES) if n in names]:
        results[name] = detectors.run(name, mutant["number"], fuzz_seconds)
        if check and results[name]["killed"]:
            break
    record = dict(mutant, detectors=results)
    with open(os.path.join(OUT, f"{mutant['number']}.json"), "w") as f:
        json.dump(record, f)
    killed_by = [n for n, r in results.items() if r["killed"]]
    print(f"  mutant {mutant['number']:>3} {mutant['id']}: "
          f"{'killed by ' + ', '.join(killed_by) if killed_by else 'SURVIVED'}", flush=True)
    return record


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sample", type=int, default=0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--fuzz-seconds", type=int, default=60)
    parser.add_argument("--check", action="store_true")
    parser.add_argument("--only", type=int, nargs="*")
    parser.add_argument("--detectors", default=",".join(detectors.NAMES),
                        help="comma-separated subset of " + ",".join(detectors.NAMES))
    parser.add_argument("--survivors", help="write the numbers of the surviving mutants to this file")
    parser.add_argument("--report")
    parser.add_argument("--command", default="scripts/mutate.sh")
    options = parser.parse_args()
    names = options.detectors.split(",")
    if not names or not set(names) <= set(detectors.NAMES):
        sys.exit(f"campaign: --detectors takes a subset of {','.join(detectors.NAMES)}")

    mutants = [m for m in read_mutants() if m["status"] == "built"]
    stillborn = sum(1 for m in read_mutants() if m["status"] != "built")
    listed = equivalents.load()
    if options.only:
        mutants = [m for m in mutants if m["number"] in options.only]
    elif options.sample:
        mutants = sorted(random.Random(options.seed).sample(mutants, min(options.sample, len(mutants))),
                         key=lambda m: m["number"])
    if options.check:
        mutants = [m for m in mutants if not equivalents.find(listed, m)]
    os.makedirs(OUT, exist_ok=True)
    for name in os.listdir(OUT):
        os.remove(os.path.join(OUT, name))

    start, load_start = time.monotonic(), os.getloadavg()
    baseline_seconds = 5 if options.check else options.fuzz_seconds
    print(f"campaign: every detector on the real allocator first (none may fail; fuzzers {baseline_seconds} s)",
          flush=True)

    def baseline(names):
        for name in names:
            log = os.path.join(OUT, f"baseline-{name}.log")
            if detectors.run(name, None, baseline_seconds, keep_log=log)["killed"]:
                return f"campaign: detector {name} fails on the real allocator; see {log}"
        return None

    with ThreadPoolExecutor(2) as pool:
        groups = [[n for n in ("props", "corpus", "fuzz_empty") if n in names], [n for n in ("fuzz_corpus",) if n in names]]
        failures = [f for f in pool.map(baseline, groups) if f]
    if failures:
        sys.exit("\n".join(failures))
    print(f"campaign: {len(mutants)} mutants, {options.jobs} at a time", flush=True)
    with ThreadPoolExecutor(options.jobs) as pool:
        records = list(pool.map(lambda m: run_mutant(m, options.fuzz_seconds, options.check, names), mutants))
    wall = time.monotonic() - start
    summary = {
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(),
        "command": options.command,
        "wall_seconds": round(wall),
        "load_start": [round(x, 2) for x in load_start],
        "load_end": [round(x, 2) for x in os.getloadavg()],
        "jobs": options.jobs,
        "fuzz_seconds": options.fuzz_seconds,
        "sample": options.sample,
        "seed": options.seed,
        "stillborn": stillborn,
        "commit": subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True,
                                 text=True).stdout.strip(),
        "mutants": records,
    }
    with open(os.path.join(OUT, "campaign.json"), "w") as f:
        json.dump(summary, f, indent=1)
    survivors = [r for r in records if not any(d["killed"] for d in r["detectors"].values())]
    unlisted = [r for r in survivors if not equivalents.find(listed, r)]
    print(f"campaign: {len(records)} mutants in {wall:.0f} s; {len(records) - len(survivors)} killed, "
          f"{len(survivors)} survived ({len(survivors) - len(unlisted)} listed as equivalent)")
    if options.survivors:
        with open(options.survivors, "w") as f:
            f.write(" ".join(str(r["number"]) for r in unlisted))
    for r in unlisted:
        print(f"  SURVIVED, not listed as equivalent: {r['number']} {r['id']}: {r['old']}  ->  {r['new']}")
    if options.report:
        import report
        report.write(summary, listed, os.path.join(ROOT, options.report))
        print(f"campaign: wrote {options.report}")
    return 1 if unlisted else 0


if __name__ == "__main__":
    sys.exit(main())
