"""The checked-in list of equivalent mutants (scripts/mutation/equivalent.txt).

One mutant a line: `ID | code before | argument`, the argument naming the
invariant that makes the mutated code unreachable or its result identical.
Ids carry line numbers, which move when allocator/ is edited: a mutant
whose id is not listed still matches an entry with the same file, operator,
column and code before, so an unrelated edit does not orphan the list.
"""
import os

PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "equivalent.txt")


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
                raise SystemExit(f"{path}:{number}: expected `ID | code before | argument`")
            entries.append({"id": parts[0], "old": parts[1], "why": parts[2], "line": number})
    return entries


def _loose(mutant_id):
    file, _line, col, op = (mutant_id.split(":") + ["", "", ""])[:4]
    return file, col, op


def find(entries, mutant):
    """The entry that lists this mutant (a dict with id and old), or None."""
    for e in entries:
        if e["id"] == mutant["id"]:
            return e
    for e in entries:
        if _loose(e["id"]) == _loose(mutant["id"]) and e["old"] == mutant["old"]:
            return e
    return None
