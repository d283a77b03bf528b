#!/usr/bin/env python3
"""Mutants of allocator/: list them, print their diffs, write the schemata.

  mutants.py list                      id and one-line diff of every mutant
  mutants.py diff ID|NUMBER...         unified diffs
  mutants.py schemata OUT_DIR [--probe CXX]...
      writes OUT_DIR/allocator/*.h (every mutant behind a run-time guard),
      OUT_DIR/poolcheck_mutant_switch.h and OUT_DIR/mutants.tsv. With
      --probe, compiles allocator/*.cc against the schemata with each
      compiler (syntax only) and leaves out the mutants that do not compile,
      until all that remain do.
  mutants.py drop OUT_DIR LOG          leaves out the mutants a build log's
      errors point at (exit 1 if there were none to leave out)
"""
import argparse
import glob
import os
import re
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import schemata  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
ERROR = re.compile(r"^(?:In file included from )?([^:\s]+\.h(?:pp)?):(\d+):(?:\d+:)? (?:fatal )?(error|note|warning)")


def write_table(out_dir, mutants, dropped):
    with open(os.path.join(out_dir, "mutants.tsv"), "w") as f:
        f.write("number\tid\tstatus\told\tnew\n")
        for m in mutants:
            old, new = schemata.one_line(m)
            status = "stillborn" if m.number in dropped else "built"
            f.write(f"{m.number}\t{m.id}\t{status}\t{old}\t{new}\n")


def read_dropped(out_dir):
    path = os.path.join(out_dir, "dropped.txt")
    return {int(x) for x in open(path).read().split()} if os.path.exists(path) else set()


def save_dropped(out_dir, dropped):
    with open(os.path.join(out_dir, "dropped.txt"), "w") as f:
        f.write("".join(f"{n}\n" for n in sorted(dropped)))


def blamed(out_dir, log_text):
    """Mutant numbers named by errors (and their notes) in generated headers."""
    found, in_error = set(), False
    for line in log_text.splitlines():
        m = ERROR.match(line.strip())
        if not m:
            continue
        path, number, kind = m.group(1), int(m.group(2)), m.group(3)
        in_error = kind == "error" or (kind == "note" and in_error)
        if kind == "error" or in_error:
            rel = os.path.relpath(os.path.abspath(path), out_dir) if os.path.isabs(path) or path.startswith(
                out_dir) else None
            if rel and not rel.startswith(".."):
                found |= schemata.mutants_at(out_dir, rel, number)
    return found


def probe(out_dir, headers, mutants, compilers):
    # g++ may be named twice (CMAKE_CXX_COMPILER and the one on PATH)
    compilers = list(dict.fromkeys(os.path.realpath(shutil.which(c) or c) for c in compilers))
    dropped = read_dropped(out_dir)
    sources = sorted(glob.glob(os.path.join(ROOT, "allocator", "*.cc")))
    for _ in range(50):
        schemata.write_schemata(headers, {m.number for m in mutants} - dropped, out_dir)
        new = set()
        for cxx in compilers:
            for source in sources:
                run = subprocess.run([cxx, "-std=c++20", "-fsyntax-only", "-fno-diagnostics-color", "-I", out_dir,
                                      "-I", ROOT, source], capture_output=True, text=True)
                if run.returncode != 0:
                    blame = blamed(out_dir, run.stderr)
                    if not blame:
                        sys.exit(f"mutants.py: {cxx} fails on {source} for no mutant:\n{run.stderr[:4000]}")
                    new |= blame
        if not new:
            break
        dropped |= new
        save_dropped(out_dir, dropped)
    return dropped


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["list", "diff", "schemata", "drop"])
    parser.add_argument("args", nargs="*")
    parser.add_argument("--probe", action="append", default=[], metavar="CXX")
    options = parser.parse_args()
    headers, mutants = schemata.load(ROOT)
    if options.command == "list":
        for m in mutants:
            old, new = schemata.one_line(m)
            print(f"{m.number}\t{m.id}\t{old}  ->  {new}")
    elif options.command == "diff":
        for key in options.args:
            chosen = [m for m in mutants if m.id == key or str(m.number) == key]
            if not chosen:
                sys.exit(f"mutants.py: no mutant {key}")
            print(f"# mutant {chosen[0].number}: {chosen[0].id}")
            print(schemata.unified_diff(chosen[0]), end="")
    elif options.command == "schemata":
        out_dir = os.path.abspath(options.args[0])
        os.makedirs(out_dir, exist_ok=True)
        dropped = probe(out_dir, headers, mutants, options.probe) if options.probe else read_dropped(out_dir)
        schemata.write_schemata(headers, {m.number for m in mutants} - dropped, out_dir)
        write_table(out_dir, mutants, dropped)
        print(f"mutants.py: {len(mutants)} mutants of {len(headers)} headers in allocator/, "
              f"{len(dropped)} do not compile; schemata in {out_dir}")
    else:
        out_dir, log = os.path.abspath(options.args[0]), options.args[1]
        new = blamed(out_dir, open(log, errors="replace").read()) - read_dropped(out_dir)
        if not new:
            sys.exit(1)
        dropped = read_dropped(out_dir) | new
        save_dropped(out_dir, dropped)
        schemata.write_schemata(headers, {m.number for m in mutants} - dropped, out_dir)
        write_table(out_dir, mutants, dropped)
        print(f"mutants.py: left out {len(new)} more mutants that do not compile: {sorted(new)}")


if __name__ == "__main__":
    main()
