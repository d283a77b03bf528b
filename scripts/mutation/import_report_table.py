#!/usr/bin/env python3
"""Converts the per-mutant table of an earlier generated docs/MUTATION.md
(before the results were committed as data) into docs/mutation/results.jsonl.

  import_report_table.py COMMIT

Run once, for the campaign of 2026-12-02 (the report at commit 7b0c0e6,
allocator/ as at b940b93): its table "Every mutant" is the only record of
those runs. What it kept is kept, and nothing else: each detector's outcome
(a bold time: it failed; —: it passed; ·: not run) and time to 0.1 s, the
props detector's first failing test and check, and the shrunk length. That
campaign counted a timeout as a kill and printed both the same way: a
props or corpus failure at 120 s or more (ctest's per-test timeout then) is
converted as "timeout", the others as "killed". The stage of a props kill,
the fuzzers' crash kinds and the load average of each run were not kept.
The mutant behind each row is found by its id and its code (the row's
number, id and change must be the mutant's now), so a row is never put on
another mutant; a row that does not match is reported and left out.
"""
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import results  # noqa: E402
import schemata  # noqa: E402

ROOT = results.ROOT
COLUMNS = ("props", "corpus", "fuzz_empty", "fuzz_corpus")
CTEST_TIMEOUT = 120
# Which rows came from which run: the report's "The last campaign" says the
# full run stopped after 353 mutants and these 18 were run the next hour.
SECOND_RUN = {340, *range(385, 402)}


def runs(commit):
    source = (f"converted from the table of docs/MUTATION.md at {commit} by "
              "scripts/mutation/import_report_table.py: times to 0.1 s; a timeout then counted as a kill")
    return [
        {"run": "2026-12-02T03:15Z", "date": "2026-12-02 03:15 UTC", "commit": "b940b93",
         "command": "bash scripts/mutate.sh (stopped after 353 mutants)", "nproc": 2, "machine": "AMD EPYC, 2 cores, 24 GiB, Linux 6.18.44-fc-v1045", "load": None,
         "fuzz_seconds": 60, "source": source},
        {"run": "2026-12-02T04:32Z", "date": "2026-12-02 04:32 UTC", "commit": "b940b93",
         "command": "python3 scripts/mutation/campaign.py --only 340 385 386 ... 401", "nproc": 2, "machine": "AMD EPYC, 2 cores, 24 GiB, Linux 6.18.44-fc-v1045", "load": None,
         "fuzz_seconds": 60, "source": source},
    ]


def run_of(number):
    return "2026-12-02T04:32Z" if number in SECOND_RUN else "2026-12-02T03:15Z"


def unescape(cell):
    return cell.replace("\\|", "|")


def main():
    commit = sys.argv[1]
    text = subprocess.run(["git", "-C", ROOT, "show", f"{commit}:docs/MUTATION.md"], capture_output=True,
                          text=True, check=True).stdout
    _headers, mutants = schemata.load(ROOT)
    current = [dict(zip(("number", "id", "old", "new"), (m.number, m.id) + schemata.one_line(m))) for m in mutants]
    by_number = {m["number"]: m for m in current}
    merged, skipped = {}, 0
    for line in text.splitlines():
        if not re.match(r"^\| \d+ \| `", line):
            continue
        cells = [c.strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]]
        number, mid, diff = int(cells[0]), cells[1].strip("`"), unescape(cells[2])
        m = by_number.get(number)
        old, new = (m["old"], m["new"]) if m else ("", "")
        shown = "`" + old.replace("`", "'") + "` → `" + new.replace("`", "'") + "`"
        if m is None or m["id"] != mid or shown != diff:
            print(f"import: row {number} {mid} matches no current mutant; left out", file=sys.stderr)
            skipped += 1
            continue
        first, shrunk = unescape(cells[7]), cells[8]
        out = {}
        for name, cell in zip(COLUMNS, cells[3:7]):
            if cell == "·":
                continue
            result = {"outcome": "survived", "budget": 1}
            hit = re.fullmatch(r"\*\*([\d.]+) s\*\*", cell)
            if hit:
                seconds = float(hit.group(1))
                ctest = name in ("props", "corpus")
                result["outcome"] = "timeout" if ctest and seconds >= CTEST_TIMEOUT else "killed"
                result["seconds"] = seconds
                if name == "props" and first:
                    check = re.fullmatch(r"(.*) \(([^)]+)\)", first)
                    result["by"], result["check"] = (check.group(1), check.group(2)) if check else (first, None)
                    if shrunk:
                        result["shrunk"] = int(shrunk)
            elif cell != "—":
                sys.exit(f"import: row {number}: cannot read the cell `{cell}`")
            result["run"] = run_of(number)
            out[name] = result
        merged[number] = {"detectors": out}
    for run in runs(commit):
        results.add_run(run)
    results.merge(current, merged)
    print(f"import: {len(merged)} rows converted, {skipped} left out; wrote {os.path.relpath(results.PATH, ROOT)}")


if __name__ == "__main__":
    main()
