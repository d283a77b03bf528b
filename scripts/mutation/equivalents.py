"""The checked-in list of equivalent mutants (scripts/mutation/equivalent.txt).

One mutant a line: `ID | code before | argument`. ID is the mutant's id
with its line number (file:line:column:operator), `code before` the text of
the line(s) it changes as `mutants.py list` shows it, and the argument names
the invariant that makes the mutated code unreachable or its result
identical. An entry lists a mutant only when both the id and the code before
are the mutant's now: an entry that matches no current mutant is stale, and
stale entries are an error (check_current), because the argument was made
about code that is no longer there. When allocator/ is edited and lines
move, `python3 scripts/mutation/equivalents.py moved` prints the entries
whose code is now found at another line, for a person to check and update.
"""
import os
import sys

PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "equivalent.txt")
ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def load(path=PATH):
    entries = []
    if not os.path.exists(path):
        return entries
    with open(path) as f:
        for number, line in enumerate(f, 1):
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            parts = [p.strip() for p in line.rstrip("\n").split(" | ")]
            if len(parts) != 3 or not all(parts):
                raise SystemExit(f"{os.path.relpath(path, ROOT)}:{number}: expected `ID | code before | argument`")
            entries.append({"id": parts[0], "old": parts[1], "why": parts[2], "line": number})
    return entries


def find(entries, mutant):
    """The entry that lists this mutant (a dict with id and old), or None."""
    for e in entries:
        if e["id"] == mutant["id"] and e["old"] == mutant["old"]:
            return e
    return None


def _loose(mutant_id):
    file, _line, col, op = (mutant_id.split(":") + ["", "", ""])[:4]
    return file, col, op


def stale(entries, mutants):
    """`FILE:LINE: problem` for every entry that lists no current mutant."""
    problems = []
    for e in entries:
        if any(find([e], m) for m in mutants):
            continue
        moved = [m for m in mutants if _loose(m["id"]) == _loose(e["id"]) and m["old"] == e["old"]]
        hint = f" (the same code is now mutant {moved[0]['id']}: check the argument there)" if moved else ""
        problems.append(f"{os.path.relpath(PATH, ROOT)}:{e['line']}: stale: no mutant {e['id']} with code "
                        f"`{e['old']}`{hint}")
    return problems


def check_current(entries, mutants):
    problems = stale(entries, mutants)
    if problems:
        raise SystemExit("\n".join(problems))


def main():
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import schemata
    _headers, mutants = schemata.load(ROOT)
    rows = [dict(zip(("number", "id", "old", "new"), (m.number, m.id) + schemata.one_line(m))) for m in mutants]
    problems = stale(load(), rows)
    print("\n".join(problems) if problems else "equivalent.txt: every entry lists a current mutant")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
