"""Which function of allocator/ a mutant lives in, for the report's "By
function" table: the nearest definition above the mutant's line whose body
has not closed before it. Mutants outside every function body (members'
default values, constants) are grouped as such.
"""
import os
import re

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
CONTROL = {"if", "for", "while", "switch", "return", "catch", "sizeof", "static_assert", "assert", "alignof"}
HEADER = re.compile(r"^(\s*)(?:template\s*<[^>]*>\s*)?(?:\[\[[^\]]*\]\]\s*)?(?:[\w:<>,*&\s]+?\s+)?"
                    r"(?:\w+<\w+>::|\w+::)*(~?\w+)\s*\(")


def _name(line):
    m = HEADER.match(line)
    if not m or m.group(2) in CONTROL or m.group(2).endswith("_") or line.lstrip().startswith((":", ",")):
        return None  # a statement, a member initializer
    if line.rstrip().endswith(";") and "{" not in line:
        return None  # a declaration
    inside = line[m.end():].split(")")[0]
    params = [p.split("=")[0].strip().split()[-1].lstrip("*&") for p in inside.split(",") if p.strip()]
    return m.group(1), f"{m.group(2)}({', '.join(params)})"


def function_of(mutant_id, cache={}):
    path, line = mutant_id.split(":")[0], int(mutant_id.split(":")[1])
    if path not in cache:
        with open(os.path.join(ROOT, path)) as f:
            cache[path] = f.read().split("\n")
    lines = cache[path]
    here = _name(lines[line - 1])
    if here:
        return here[1]
    for number in range(line - 1, 0, -1):
        found = _name(lines[number - 1])
        if not found:
            continue
        indent, name = found
        closed = any(re.match(indent + r"\}", lines[k - 1]) for k in range(number + 1, line))
        return "(members and constants)" if closed else name
    return "(members and constants)"
