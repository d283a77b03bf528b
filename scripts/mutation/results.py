"""The campaign's results as committed data: docs/mutation/results.jsonl.

One JSON object a line, one line per mutant, in the order of
`mutants.py list`:

  id        file:line:column:operator when the result was written
  old, new  the changed code before and after, each squeezed onto one line
  stillborn {"where": compiler and translation unit, "error": first error
            line}: the mutant ALONE does not compile (mutants.py); absent
            otherwise
  detectors {name: result} for each detector that ran on it, where result is
            {"outcome": "killed" | "survived" | "timeout", "seconds": wall
            time of the run, "budget": the timeout scale (1, or 3 for the
            rerun of a timeout), "by": first failing test (or the fuzzer's
            crash kind), "check": the checker's check that fired, "stage",
            "shrunk" (props), "run": the id of the run in runs.jsonl}; a
            detector missing did not run

docs/mutation/runs.jsonl describes each run once: {"run": id, "date",
"commit", "command", "nproc", "load" (1, 5, 15 min averages at its start and
end), "fuzz_seconds", and "source" for results converted from an earlier
report's table rather than written by campaign.py}.

A mutant is matched to its line by id; when allocator/ was edited and its
line moved, by everything but the line number (file, column, operator and
both texts), so that results survive edits elsewhere. Writing merges: a
rerun replaces the results of the detectors it ran, and keeps the others.
"""
import contextlib
import fcntl
import json
import os
import subprocess

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
PATH = os.path.join(ROOT, "docs", "mutation", "results.jsonl")
RUNS = os.path.join(ROOT, "docs", "mutation", "runs.jsonl")


@contextlib.contextmanager
def locked():
    """Two campaigns merging at once take turns (build/mutation/data.lock)."""
    lock = os.path.join(ROOT, "build", "mutation", "data.lock")
    os.makedirs(os.path.dirname(lock), exist_ok=True)
    with open(lock, "w") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        yield


def commit():
    """The checkout's short commit, or "unknown" where there is no git (a
    tarball, a machine without git): a run's record must not depend on it."""
    try:
        return subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                              check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def load_runs(path=RUNS):
    if not os.path.exists(path):
        return {}
    out = {}
    with open(path) as f:
        for number, line in enumerate(f, 1):
            if line.strip():
                try:
                    run = json.loads(line)
                    out[run["run"]] = run
                except (json.JSONDecodeError, KeyError, TypeError):
                    raise SystemExit(f"{os.path.relpath(path, ROOT)}:{number}: expected a JSON object with `run`")
    return out


def add_run(run, path=RUNS):
    """Appends (or replaces) the description of a run."""
    runs = load_runs(path)
    runs[run["run"]] = run
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        for r in sorted(runs.values(), key=lambda r: r["run"]):
            f.write(json.dumps(r, ensure_ascii=False) + "\n")


def _loose(mutant_id):
    file, _line, col, op = (mutant_id.split(":") + ["", "", ""])[:4]
    return file, col, op


def key(record):
    return _loose(record["id"]) + (record["old"], record["new"])


def load(path=PATH):
    if not os.path.exists(path):
        return []
    out = []
    with open(path) as f:
        for number, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as error:
                raise SystemExit(f"{os.path.relpath(path, ROOT)}:{number}: not JSON: {error}")
            for field in ("id", "old", "new"):
                if not isinstance(record.get(field), str):
                    raise SystemExit(f"{os.path.relpath(path, ROOT)}:{number}: no `{field}`")
            record["_line"] = number
            out.append(record)
    return out


def match(records, mutants):
    """{mutant number: record} for the current mutants (dicts with number,
    id, old, new), and the records that match no current mutant."""
    by_id = {r["id"]: r for r in records}
    by_key = {}
    for r in records:
        by_key.setdefault(key(r), []).append(r)
    found, used = {}, set()
    for m in mutants:
        r = by_id.get(m["id"])
        if r is not None and (r["old"], r["new"]) == (m["old"], m["new"]):
            found[m["number"]] = r
            used.add(id(r))
    for m in mutants:
        if m["number"] in found:
            continue
        candidates = [r for r in by_key.get(key(m), []) if id(r) not in used]
        if candidates:
            found[m["number"]] = candidates[0]
            used.add(id(candidates[0]))
    orphans = [r for r in records if id(r) not in used]
    return found, orphans


def merge(mutants, new_results, path=PATH):
    """Writes the data with new_results ({mutant number: partial record with
    `detectors` and/or `stillborn`}) merged in: per detector, a new result
    replaces the old one; a mutant shown stillborn loses its detector
    results, one that compiles loses its stillborn entry."""
    records = load(path)
    found, orphans = match(records, mutants)
    out = []
    for m in mutants:
        old = found.get(m["number"])
        record = {"id": m["id"], "old": m["old"], "new": m["new"]}
        detectors = dict(old.get("detectors", {})) if old else {}
        stillborn = old.get("stillborn") if old else None
        new = new_results.get(m["number"])
        if new is not None:
            if "stillborn" in new:  # None: built, so not stillborn (any more)
                stillborn = new["stillborn"]
                if stillborn:
                    detectors = {}
            if new.get("detectors"):
                detectors.update(new["detectors"])
                stillborn = None
        if stillborn:
            record["stillborn"] = stillborn
        if detectors:
            record["detectors"] = {name: detectors[name] for name in sorted(detectors)}
        if len(record) > 3:
            out.append(record)
    for r in orphans:  # results of mutants that are gone: kept, reported as such
        out.append({k: v for k, v in r.items() if k != "_line"})
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        for record in out:
            f.write(json.dumps(record, ensure_ascii=False, sort_keys=False) + "\n")
