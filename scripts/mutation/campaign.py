#!/usr/bin/env python3
"""Runs mutants of allocator/ against the detectors and merges the results
into the committed data (docs/mutation/results.jsonl, results.py).

  campaign.py [--sample N] [--seed S] [--only NUMBER...] [--jobs J]
              [--fuzz-seconds T] [--detectors LIST] [--check [--equivalents E]]
              [--survivors FILE] [--no-merge] [--command TEXT]

Reads build/mutation-schemata/mutants.tsv and stillborn.tsv (written when
the mutation presets are configured and built), checks that every detector
passes on the real allocator, then runs every built mutant (or a sample of
N drawn with seed S, or the mutants --only names) against every detector,
J mutants at a time. Each test's time limit is 5 times its time in that
first run on the real allocator, at least 10 s (detectors.py). A detector
that times out is run again with every time limit three times as long
(budget 3) before its result is kept. Each mutant's results
are merged into the data as soon as it is done (a stopped campaign keeps
what finished; `--only` the rest resumes it): a rerun replaces the results of the detectors it
ran and keeps the others; nothing else is deleted. The stillborn mutants of
the build are merged too, with their first compiler error.

--check (the CI sample of scripts/mutate.sh --ci): N mutants drawn from the
built mutants that are not listed as equivalent, each stopped at the first
detector that kills it, and E listed equivalents (drawn with the same
seed), each run against every detector asked for and expected to survive
all of them. Exit 1 if a mutant not listed as equivalent survives, if a
listed one is killed ("not equivalent any more"), or if fewer than N + E
mutants ran; with --survivors FILE, exit 3 when survivors (written to FILE)
are the only failure, for the fuzzers to take on.
"""
import argparse
import os
import platform
import random
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import detectors  # noqa: E402
import equivalents  # noqa: E402
import results  # noqa: E402

ROOT = detectors.ROOT
SCHEMATA = os.path.join(ROOT, "build", "mutation-schemata")
OUT = os.path.join(ROOT, "build", "mutation", "campaign")
# The CI sample stops at the first kill, so the cheapest detectors go first.
CHECK_ORDER = ("props", "corpus", "heap", "fuzz_corpus", "fuzz_empty")
RERUN_BUDGET = 3


def read_mutants():
    with open(os.path.join(SCHEMATA, "mutants.tsv")) as f:
        header = f.readline().rstrip("\n").split("\t")
        rows = [dict(zip(header, line.rstrip("\n").split("\t"))) for line in f]
    for row in rows:
        row["number"] = int(row["number"])
    return rows


def read_stillborn():
    out = {}
    path = os.path.join(SCHEMATA, "stillborn.tsv")
    if os.path.exists(path):
        for line in open(path):
            number, _id, _old, where, error = line.rstrip("\n").split("\t")
            out[int(number)] = {"where": where, "error": error,
                                "plain_edit": "compiles" if "plain edit compiles" in where else "fails"}
    return out


def machine():
    cpu = "unknown cpu"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, {platform.system()} {platform.release()}"


def start_run(command, fuzz_seconds):
    now = datetime.now(timezone.utc)
    return {
        "run": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "date": now.strftime("%Y-%m-%d %H:%M UTC"),
        "commit": results.commit(),
        "command": command,
        "nproc": os.cpu_count(),
        "machine": machine(),
        "load": [[round(x, 2) for x in os.getloadavg()]],
        "fuzz_seconds": fuzz_seconds,
    }


def run_detector(name, number, fuzz_seconds, run_id):
    result = detectors.run(name, number, fuzz_seconds)
    if result["outcome"] == "timeout":
        first = result
        result = detectors.run(name, number, fuzz_seconds, budget=RERUN_BUDGET)
        result["first_run"] = {"outcome": first["outcome"], "seconds": first["seconds"]}
    result["run"] = run_id
    return result


def run_mutant(mutant, names, fuzz_seconds, stop_at_kill, run_id):
    out = {}
    for name in names:
        out[name] = run_detector(name, mutant["number"], fuzz_seconds, run_id)
        if stop_at_kill and out[name]["outcome"] == "killed":
            break
    words = [f"{n} {r['outcome']}" for n, r in out.items()]
    print(f"  mutant {mutant['number']:>3} {mutant['id']}: {', '.join(words)}", flush=True)
    return mutant, out


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sample", type=int, default=0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--fuzz-seconds", type=int, default=60)
    parser.add_argument("--check", action="store_true")
    parser.add_argument("--equivalents", type=int, default=0, help="with --check: listed equivalents to re-check")
    parser.add_argument("--only", type=int, nargs="*")
    parser.add_argument("--detectors", default=",".join(detectors.NAMES),
                        help="comma-separated subset of " + ",".join(detectors.NAMES))
    parser.add_argument("--survivors", help="write the numbers of the surviving mutants to this file")
    parser.add_argument("--no-merge", action="store_true", help="leave the committed data as it is")
    parser.add_argument("--command", default="python3 scripts/mutation/campaign.py")
    options = parser.parse_args()
    names = options.detectors.split(",")
    if not names or not set(names) <= set(detectors.NAMES):
        sys.exit(f"campaign: --detectors takes a subset of {','.join(detectors.NAMES)}")
    command = options.command

    every = read_mutants()
    listed = equivalents.load()
    equivalents.check_current(listed, every)  # a stale entry is an error
    built = [m for m in every if m["status"] == "built"]
    if options.only is not None:
        chosen, recheck = [m for m in built if m["number"] in options.only], []
        missing = sorted(set(options.only) - {m["number"] for m in chosen})
        if missing:
            sys.exit(f"campaign: not built (stillborn or no such mutant): {missing}")
    elif options.check:
        candidates = [m for m in built if not equivalents.find(listed, m)]
        listed_built = [m for m in built if equivalents.find(listed, m)]
        rng = random.Random(options.seed)
        chosen = sorted(rng.sample(candidates, min(options.sample, len(candidates))), key=lambda m: m["number"])
        recheck = sorted(rng.sample(listed_built, min(options.equivalents, len(listed_built))),
                         key=lambda m: m["number"])
    elif options.sample:
        chosen = sorted(random.Random(options.seed).sample(built, min(options.sample, len(built))),
                        key=lambda m: m["number"])
        recheck = []
    else:
        chosen, recheck = built, []
    os.makedirs(OUT, exist_ok=True)

    start = time.monotonic()
    run = start_run(command, options.fuzz_seconds)
    baseline_seconds = 5 if options.check else options.fuzz_seconds
    print(f"campaign: every detector on the real allocator first (none may fail; fuzzers {baseline_seconds} s)",
          flush=True)

    def baseline(group):
        for name in group:
            log = os.path.join(OUT, f"baseline-{name}.log")
            if detectors.run(name, None, baseline_seconds, keep_log=log)["outcome"] != "survived":
                return f"campaign: detector {name} fails on the real allocator; see {log}"
        return None

    with ThreadPoolExecutor(2) as pool:
        groups = [[n for n in ("props", "corpus", "heap", "fuzz_empty") if n in names],
                  [n for n in ("fuzz_corpus",) if n in names]]
        failures = [f for f in pool.map(baseline, groups) if f]
    if failures:
        sys.exit("\n".join(failures))
    order = [n for n in (CHECK_ORDER if options.check else detectors.NAMES) if n in names]
    print(f"campaign: {len(chosen)} mutants" + (f" and {len(recheck)} listed equivalents" if recheck else "") +
          f", {options.jobs} at a time", flush=True)
    jobs = [(m, options.check) for m in chosen] + [(m, False) for m in recheck]
    if not options.no_merge:
        # The run is written down first and each mutant's results as soon as it
        # is done, so that a campaign stopped part way loses only the mutants
        # still running (`--only` the rest resumes it).
        with results.locked():
            results.add_run(run)

    def run_and_keep(job):
        mutant, out = run_mutant(job[0], order, options.fuzz_seconds, job[1], run["run"])
        if not options.no_merge and out:
            with results.locked():
                results.merge(every, {mutant["number"]: {"detectors": out}})
        return mutant, out

    with ThreadPoolExecutor(options.jobs) as pool:
        done = list(pool.map(run_and_keep, jobs))
    wall = time.monotonic() - start

    if not options.no_merge:
        stillborn = read_stillborn()
        run["load"].append([round(x, 2) for x in os.getloadavg()])
        run["wall_seconds"] = round(wall)
        with results.locked():
            results.add_run(run)
            results.merge(every, {m["number"]: {"stillborn": stillborn.get(m["number"])} for m in every
                                  if m["number"] not in {d["number"] for d, _ in done}})
        print(f"campaign: merged {len(done)} mutants' results and {len(stillborn)} stillborn into "
              f"{os.path.relpath(results.PATH, ROOT)}")

    ran = [(m, out) for m, out in done if out]
    killed = lambda out: any(r["outcome"] == "killed" for r in out.values())
    timed_out = lambda out: any(r["outcome"] == "timeout" for r in out.values())
    survivors = [m for m, out in ran if not killed(out) and not timed_out(out)]
    unlisted = [m for m in survivors if not equivalents.find(listed, m)]
    not_any_more = [(m, out) for m, out in ran if equivalents.find(listed, m) and (killed(out) or timed_out(out))]
    print(f"campaign: {len(ran)} mutants in {wall:.0f} s; {sum(killed(o) for _, o in ran)} killed, "
          f"{sum(timed_out(o) and not killed(o) for _, o in ran)} only timed out (after a rerun at budget "
          f"{RERUN_BUDGET}), {len(survivors)} survived ({len(survivors) - len(unlisted)} listed as equivalent)")
    if options.survivors:
        with open(options.survivors, "w") as f:
            f.write(" ".join(str(m["number"]) for m in unlisted))
    status = 0
    for m in unlisted:
        print(f"  SURVIVED, not listed as equivalent: {m['number']} {m['id']}: {m['old']}  ->  {m['new']}")
        status = 3 if options.survivors else 1  # 3: only survivors, which the fuzzers may still kill
    for m, out in not_any_more:
        e = equivalents.find(listed, m)
        by = ", ".join(f"{n} ({r['outcome']}: {r.get('by')})" for n, r in out.items() if r["outcome"] != "survived")
        print(f"{os.path.relpath(equivalents.PATH, ROOT)}:{e['line']}: not equivalent any more: mutant "
              f"{m['number']} {m['id']} is {by}")
        status = 1
    expected = len(chosen) + len(recheck)
    if options.check and (len(ran) < expected or len(chosen) < options.sample):
        print(f"campaign: the CI sample promises {options.sample} mutants and {options.equivalents} equivalents, "
              f"but only {len(ran)} ran ({len(chosen)} drawn of {options.sample}, {len(recheck)} equivalents)")
        status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
