#!/usr/bin/env python3
"""Time to find: how fast fuzz_pool_diff finds each of a set of mutants
from an empty corpus, over several libFuzzer seeds.

  find_rate.py run [--only NUMBER... | --fuzz-missed | --sample N [--sample-seed S]]
                   [--seeds 1,2,3] [--seconds 60] [--jobs J] [--fuzzer PATH]
                   [--extra-flags FLAGS] [--data FILE] [--command TEXT]
  find_rate.py report [--data FILE]

run: for each mutant (the numbers --only names; with --fuzz-missed those
the committed campaign data says the properties kill and fuzz_empty does
not; or N drawn with seed S from the built mutants that are not listed as
equivalent), for each seed, runs
FUZZER (default build/mutation-fuzz/fuzz/fuzz_pool_diff, the mutant
schemata of the `mutation-fuzz` preset; any build of fuzz_pool_diff with
POOLCHECK_MUTATION=ON will do, e.g. one without ASan) with -seed=SEED from an
empty corpus for at most SECONDS, POOLCHECK_MUTANT=NUMBER; the time to the
first crash is the wall-clock time of the run that crashed. It first checks
that the fuzzer does not crash on the real allocator in SECONDS (seed 1).
Appends one line per mutant to the data (default
docs/mutation/find_rate.jsonl): its id, each seed's time (null: not found
in SECONDS), and the run (date, commit, command, fuzzer, machine, load).

report [--run DATE]: the markdown table of the last run in the data (or of
the run of that date, as its table names it), one row per mutant
with the median time to the first crash (a seed that did not find it counts
as longer than any that did: the median is "not found" when half or more
did not), and the distribution of the medians. docs/FUZZING.md's table is
this output, one table per run it shows.
"""
import argparse
import json
import os
import platform
import random
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import detectors  # noqa: E402
import equivalents  # noqa: E402
import results  # noqa: E402

ROOT = detectors.ROOT
DATA = os.path.join(ROOT, "docs", "mutation", "find_rate.jsonl")
SCHEMATA = os.path.join(ROOT, "build", "mutation-schemata", "mutants.tsv")


def read_mutants():
    with open(SCHEMATA) as f:
        header = f.readline().rstrip("\n").split("\t")
        rows = (dict(zip(header, line.rstrip("\n").split("\t"))) for line in f)
        return {int(row["number"]): row for row in rows if row.get("status") == "built"}


def fuzz_missed(mutants):
    """The built mutants that docs/mutation/results.jsonl says the properties
    kill and fuzz_pool_diff from an empty corpus does not, matched by file,
    code before and code after (line numbers move)."""
    wanted = set()
    with open(os.path.join(ROOT, "docs", "mutation", "results.jsonl")) as f:
        for line in f:
            r = json.loads(line)
            d = r.get("detectors", {})
            if (d.get("props") or {}).get("outcome") == "killed" and (d.get("fuzz_empty") or {}).get("outcome") != "killed":
                wanted.add((r["id"].split(":")[0], r["old"].strip(), r["new"].strip()))
    # The window's length became a setting (issue 21): the same statement
    # compares with the member that holds it.
    now = lambda text: text.replace("== cache_window_)", "== kCacheWindow)")
    return sorted(n for n, row in mutants.items()
                  if (row["id"].split(":")[0], now(row["old"].strip()), now(row["new"].strip())) in wanted)


EXTRA_FLAGS = []  # --extra-flags


def one_run(fuzzer, number, seed, seconds):
    """Seconds to the first crash, or None when the fuzzer ran its time out."""
    with tempfile.TemporaryDirectory(prefix=f"find-rate-{number}-{seed}-") as work:
        corpus = os.path.join(work, "corpus")
        os.makedirs(corpus)
        flags = detectors.fuzz_options() + EXTRA_FLAGS
        command = [fuzzer, f"-seed={seed}", f"-max_total_time={seconds}", f"-artifact_prefix={work}/", *flags, corpus]
        env = detectors._env(number)
        start = time.monotonic()
        try:
            done = subprocess.run(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                  timeout=seconds + 60)
        except subprocess.TimeoutExpired:
            return None
        wall = time.monotonic() - start
        return round(wall, 2) if done.returncode != 0 else None


def run(args):
    fuzzer = os.path.abspath(args.fuzzer)
    if not os.access(fuzzer, os.X_OK):
        sys.exit(f"find_rate.py: no fuzzer at {fuzzer} (configure and build the mutation-fuzz preset)")
    detectors.FUZZER = fuzzer  # fuzz_options() reads the .options file next to it
    EXTRA_FLAGS.extend(args.extra_flags.split())
    mutants = read_mutants()
    if args.only:
        numbers = args.only
    elif args.fuzz_missed:
        numbers = fuzz_missed(mutants)
    else:
        listed = equivalents.load()
        pool = sorted(n for n, row in mutants.items() if equivalents.find(listed, row) is None)
        numbers = sorted(random.Random(args.sample_seed).sample(pool, min(args.sample, len(pool))))
    unknown = [n for n in numbers if n not in mutants]
    if unknown:
        sys.exit(f"find_rate.py: no mutant numbered {unknown} in {SCHEMATA}")
    seeds = [int(s) for s in args.seeds.split(",")]
    if one_run(fuzzer, None, 1, args.seconds) is not None:
        sys.exit("find_rate.py: the fuzzer crashes on the real allocator; nothing to measure")
    load_start = os.getloadavg()
    jobs = [(n, s) for n in numbers for s in seeds]
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        times = list(pool.map(lambda job: one_run(fuzzer, job[0], job[1], args.seconds), jobs))
    by_mutant = {}
    for (n, s), t in zip(jobs, times):
        by_mutant.setdefault(n, {})[str(s)] = t
    command = args.command or "python3 scripts/mutation/find_rate.py " + shlex.join(sys.argv[1:])
    run_info = {"date": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"), "commit": results.commit(),
                "command": command, "fuzzer": os.path.relpath(fuzzer, ROOT), "seconds": args.seconds,
                "jobs": args.jobs, "extra_flags": args.extra_flags, "nproc": os.cpu_count(), "machine": f"{platform.machine()}, Linux {platform.release()}",
                "load": [round(x, 2) for x in load_start] + [round(x, 2) for x in os.getloadavg()]}
    with open(args.data, "a") as f:
        for n in numbers:
            f.write(json.dumps({"number": n, "id": mutants[n]["id"], "times": by_mutant[n], "run": run_info}) + "\n")
    args.run = None  # the table of this run
    report(args)


def median_time(times, seconds):
    """The median with "not found" above every time found; None when it is not found."""
    ranked = sorted((t if t is not None else float("inf")) for t in times)
    m = statistics.median_high(ranked)  # of two middle values the later: a miss is never averaged
    return None if m == float("inf") or m > seconds else m


def report(args):
    rows = [json.loads(line) for line in open(args.data) if line.strip()]
    if not rows:
        sys.exit(f"find_rate.py: no data in {args.data}")
    runs = [r["run"] for r in rows if args.run in (None, r["run"]["date"])]
    if not runs:
        sys.exit(f"find_rate.py: no run of {args.run} in {args.data}")
    last = runs[-1]
    rows = [r for r in rows if r["run"] == last]
    seconds = last["seconds"]
    seeds = sorted({s for r in rows for s in r["times"]}, key=int)
    which = f" --run {last['date']}" if args.run else ""
    print(f"*Generated by `python3 scripts/mutation/find_rate.py report{which}` from `docs/mutation/find_rate.jsonl`: "
          f"the run of {last['date']} at `{last['commit']}`, `{last['command']}`, fuzzer `{last['fuzzer']}`"
          f"{' ' + last['extra_flags'] if last.get('extra_flags') else ''}, "
          f"{seconds} s per seed, {last['jobs']} at a time on {last['nproc']} cores ({last['machine']}), "
          f"load average {', '.join(map(str, last['load'][:3]))} at the start, "
          f"{', '.join(map(str, last['load'][3:]))} at the end.*\n")
    print("| # | mutant | " + " | ".join(f"seed {s}" for s in seeds) + " | median |")
    print("| ---: | --- | " + " | ".join("---:" for _ in seeds) + " | ---: |")
    medians = []
    for r in rows:
        cells = [("%.1f s" % r["times"][s]) if r["times"].get(s) is not None else "—" for s in seeds]
        m = median_time([r["times"].get(s) for s in seeds], seconds)
        medians.append(m)
        print(f"| {r['number']} | `{r['id']}` | " + " | ".join(cells) + f" | {'%.1f s' % m if m is not None else 'not found'} |")
    found = sorted(m for m in medians if m is not None)
    print()
    print(f"Found (median within {seconds} s): {len(found)} of {len(medians)}. ", end="")
    if found:
        print("Medians: " + ", ".join(f"≤ {b} s: {sum(1 for m in found if m <= b)}" for b in (1, 5, 15, 30, seconds))
              + f"; the median of the medians {statistics.median(found):.1f} s.")
    else:
        print()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="mode", required=True)
    r = sub.add_parser("run")
    r.add_argument("--only", type=int, nargs="*")
    r.add_argument("--fuzz-missed", action="store_true",
                   help="the mutants the last campaign's properties killed and fuzz_empty did not")
    r.add_argument("--sample", type=int, default=20)
    r.add_argument("--sample-seed", type=int, default=1)
    r.add_argument("--seeds", default="1,2,3")
    r.add_argument("--seconds", type=int, default=60)
    r.add_argument("--jobs", type=int, default=1)
    r.add_argument("--fuzzer", default=detectors.FUZZER)
    r.add_argument("--data", default=DATA)
    r.add_argument("--extra-flags", default="", help="more libFuzzer flags, e.g. -dict=PATH")
    r.add_argument("--command", help="the command to record, when it was more than this one (e.g. under nice); "
                   "default: this command line as typed")
    p = sub.add_parser("report")
    p.add_argument("--data", default=DATA)
    p.add_argument("--run", help="the run of this date (its table's 'the run of DATE'); default: the last run")
    args = parser.parse_args()
    run(args) if args.mode == "run" else report(args)


if __name__ == "__main__":
    main()
