"""The five detectors, each run on one mutant (POOLCHECK_MUTANT=number).

  props        ctest -L "props|unit" in the mutation build: the property
               tests at the CI budget (fixed seed) and the unit tests
  corpus       ctest -L corpus: the engine-free replay of corpus/
  heap         ctest -L heap: props/global_heap_failure_test.cc, the global
               operator new failing on its K-th call (K = 1, 2, ...)
  fuzz_empty   fuzz_pool_diff from an empty corpus, up to FUZZ_SECONDS
  fuzz_corpus  fuzz_pool_diff from corpus/fuzz_pool_diff, up to FUZZ_SECONDS
Each result is {outcome, seconds, budget, by, check}: outcome is "killed"
(a test failed, a check reported a divergence, a sanitizer stopped the run),
"timeout" (a ctest test ran past its timeout, the fuzzer hung on an input
past its -timeout, or the whole run past its limit) or "survived". A
timeout is not a kill: campaign.py reruns it with `budget` 3 (every limit
three times as long). props adds the stage and the shrunk counterexample's
length.

A test's time limit comes from its own time on the real allocator (the
baseline run that campaign.py makes first, run(name, None)): TIMEOUT_FACTOR
times that time, never under TIMEOUT_FLOOR seconds, times the budget. The
tests of a pass run in one ctest call per limit (the tests by number, -I;
the shortest limit first: nearly all tests share the floor). A mutant that
loops in a test that takes a second costs 10 s, and 30 s more in the rerun,
instead of the 120 s + 360 s that one fixed limit for every test cost.
Tests without a baseline time get CTEST_TIMEOUT.
"""
import glob
import math
import os
import re
import shutil
import subprocess
import tempfile
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BUILD = os.path.join(ROOT, "build", "mutation")
FUZZER = os.path.join(ROOT, "build", "mutation-fuzz", "fuzz", "fuzz_pool_diff")
NAMES = ("props", "corpus", "heap", "fuzz_empty", "fuzz_corpus")
CTEST_TIMEOUT = 120  # seconds per test without a baseline time, times the budget
TIMEOUT_FACTOR = 5  # a test's limit: this many times its time on the real allocator,
TIMEOUT_FLOOR = 10  # and at least this many seconds; times the budget
FAILED_TEST = re.compile(r"Test\s+#\d+: (\S+) \.*\**\s*(?:\*\*\*)?(Failed|Exception|Timeout|Not Run|SEGFAULT|Subprocess)")
# A finished test's line (Passed, or Skipped: the real allocator fails no test)
# and ctest's count of the tests it ran.
FINISHED_TEST = re.compile(r"Test\s+#(\d+): (.+?) \.{3,}[\s*]*\w[\w ]*?\s+([\d.]+) sec")
TESTS_RUN = re.compile(r"tests failed out of (\d+)")
# Per ctest pass: ([(test number, name, seconds)] from the run on the real
# allocator, in the order ctest ran them; whether ctest -I selects them by
# those numbers), filled by run(name, None).
BASELINE = {}


def _run(command, env, timeout):
    start = time.monotonic()
    try:
        done = subprocess.run(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                              errors="replace", timeout=timeout)
        return done.returncode, done.stdout, time.monotonic() - start
    except subprocess.TimeoutExpired as expired:
        out = expired.stdout.decode(errors="replace") if isinstance(expired.stdout, bytes) else (expired.stdout or "")
        return "timeout", out, time.monotonic() - start


def _env(number, extra=None):
    env = dict(os.environ)
    env.pop("RC_PARAMS", None)  # the CI budget: props_main's fixed seed
    env.pop("POOLCHECK_SOAK", None)
    if number is None:
        env.pop("POOLCHECK_MUTANT", None)
    else:
        env["POOLCHECK_MUTANT"] = str(number)
    env.update(extra or {})
    return env


# The props detector in three passes, each only if the previous one passed:
# the properties on the real allocator first (so that a kill comes with
# RapidCheck's shrunk counterexample when they have one), then the unit
# tests, then the broken-variant tests (which instantiate the mutated
# allocator template with deliberately wrong rules).
PROPS_PASSES = (("properties", ["-L", "props", "-E", "BrokenVariant"]), ("unit", ["-L", "unit"]),
                ("variants", ["-L", "props", "-R", "BrokenVariant"]))


def test_limit(seconds):
    """The time limit (budget 1) of a test that took `seconds` on the real allocator."""
    return max(TIMEOUT_FLOOR, math.ceil(TIMEOUT_FACTOR * seconds))


def _calls(selection, tests, budget, by_number=True):
    """The ctest calls of one pass: [(arguments, per-test limit, whole-call limit)]. With the
    baseline's `tests`: one call per limit, the shortest limit first, the tests named by the
    numbers that the baseline's ctest printed (`-I`: with -R/-E and without -L, which ctest
    numbers as it printed them; _selects checks that); when all share one limit, or
    `by_number` is false, one call with the pass's longest limit."""
    common = ["ctest", "--test-dir", BUILD, "--stop-on-failure", "--output-on-failure", "-j1"]
    if not tests:
        return [([*common, *selection], CTEST_TIMEOUT * budget, 900 * budget)]
    by_limit = {}
    for test_number, _test, seconds in tests:
        by_limit.setdefault(test_limit(seconds), []).append(test_number)
    if len(by_limit) == 1 or not by_number:
        return [([*common, *selection], max(by_limit) * budget,
                 (sum(test_limit(seconds) for _n, _t, seconds in tests) + 60) * budget)]
    regex = [a for i, a in enumerate(selection) if a != "-L" and (i == 0 or selection[i - 1] != "-L")]
    return [([*common, *regex, "-I", "0,0,1," + ",".join(numbers)], limit * budget,
             (limit * len(numbers) + 60) * budget) for limit, numbers in sorted(by_limit.items())]


def _selects(selection, tests):
    """Whether the calls of _calls by number list exactly the baseline's tests (ctest -N)."""
    listed = []
    for arguments, _limit, _whole in _calls(selection, tests, 1):
        out = subprocess.run([*arguments, "-N"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                             errors="replace").stdout
        listed += re.findall(r"Test\s+#(\d+): (.+)", out)
    return sorted((n, name.strip()) for n, name in listed) == sorted((n, name.strip()) for n, name, _ in tests)


def _ctest(passes, number, work, budget=1):
    env = _env(number, {"POOLCHECK_COUNTEREXAMPLE_DIR": os.path.join(work, "counterexamples")})
    result, log, total = {"outcome": "survived"}, [], 0.0
    for name, selection in passes:
        ran = []
        tests, by_number = BASELINE.get(name, (None, False)) if number is not None else (None, False)
        for arguments, limit, whole in _calls(selection, tests, budget, by_number):
            rc, out, seconds = _run([*arguments, "--timeout", str(limit)], env, whole)
            total += seconds
            log.append(out)
            ran += [(n, test, float(s)) for n, test, s in FINISHED_TEST.findall(out)]
            if rc != 0:
                break
        # The baseline's tests are those the mutants run: only when every one
        # of them was read (else a mutant would run fewer; then the pass keeps
        # one ctest call at CTEST_TIMEOUT).
        counted = TESTS_RUN.findall(out)
        if number is None and rc == 0 and counted and int(counted[-1]) == len(ran):
            by_number = _selects(selection, ran)
            BASELINE[name] = (ran, by_number)
            if not by_number:
                print(f"detectors: {name}: ctest -I selects other tests than the baseline's; one call with the "
                      f"pass's longest limit", flush=True)
        elif number is None and rc == 0:
            print(f"detectors: {name}: {len(ran)} test times read, ctest ran {counted[-1] if counted else '?'}; "
                  f"this pass keeps one limit of {CTEST_TIMEOUT} s", flush=True)
        if rc != 0:
            failed = FAILED_TEST.search(out)
            timed_out = rc == "timeout" or (failed is not None and failed.group(2) == "Timeout")
            result.update(outcome="timeout" if timed_out else "killed", stage=name, check=_divergence_check(out),
                          by=failed.group(1) if failed else ("timeout" if rc == "timeout" else f"ctest exit {rc}"))
            lengths = [_ops_in(p) for p in glob.glob(os.path.join(work, "counterexamples", "*.ops"))]
            if lengths:
                result["shrunk"] = min(lengths)
            break
    result["seconds"] = round(total, 2)
    return result, "\n".join(log)


def _divergence_check(out):
    m = re.search(r"# divergence \(([^)]+)\)", out)
    return m.group(1) if m else None


def _ops_in(path):
    with open(path, errors="replace") as f:
        return sum(1 for line in f if line.strip() and not line.lstrip().startswith("#"))


def fuzz_options():
    """-name=value flags from fuzz_pool_diff.options ([libfuzzer] section), which
    fuzz/CMakeLists.txt writes into the build directory next to the fuzzer."""
    flags, section = [], ""
    with open(os.path.join(os.path.dirname(FUZZER), "fuzz_pool_diff.options")) as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            if line.startswith("["):
                section = line.strip("[]")
            elif section == "libfuzzer" and "=" in line:
                name, value = (x.strip() for x in line.split("=", 1))
                if name == "dict":  # a bare file name, next to the fuzzer
                    value = os.path.join(os.path.dirname(FUZZER), value)
                flags.append(f"-{name}={value}")
    return flags


def _fuzz(number, work, seeds, seconds, budget=1):
    new = os.path.join(work, "new")
    os.makedirs(new, exist_ok=True)
    flags = fuzz_options()
    if budget != 1:  # the last -timeout wins
        flags += [f"-timeout={int(f.split('=', 1)[1]) * budget}" for f in flags if f.startswith("-timeout=")]
    command = [FUZZER, "-seed=1", f"-max_total_time={seconds}", "-print_final_stats=1",
               f"-artifact_prefix={work}/", *flags, new, *seeds]
    rc, out, wall = _run(command, _env(number), (seconds + 60) * budget)
    result = {"outcome": "survived" if rc == 0 else "killed", "seconds": round(wall, 2)}
    if rc != 0:
        kind = re.search(r"(deadly signal|ERROR: libFuzzer: (\w[\w-]*)|ERROR: AddressSanitizer: ([\w-]+)|"
                         r"runtime error|divergence \(([^)]+)\))", out)
        result["by"] = "timeout" if rc == "timeout" else (kind.group(4) or kind.group(3) or kind.group(2) or
                                                          kind.group(1)) if kind else f"exit {rc}"
        if result["by"] == "timeout":  # the whole run, or libFuzzer's per-input -timeout
            result["outcome"] = "timeout"
        result["check"] = _divergence_check(out)
    return result, out


def run(name, number, fuzz_seconds=60, keep_log=None, budget=1):
    """One detector on one mutant (None: on the real allocator); every time
    limit multiplied by `budget`."""
    work = tempfile.mkdtemp(prefix=f"mutant-{number}-{name}-")
    try:
        if name == "props":
            result, out = _ctest(PROPS_PASSES, number, work, budget)
        elif name == "corpus":
            result, out = _ctest((("corpus", ["-L", "corpus"]),), number, work, budget)
        elif name == "heap":
            result, out = _ctest((("heap", ["-L", "heap"]),), number, work, budget)
        elif name == "fuzz_empty":
            result, out = _fuzz(number, work, [], fuzz_seconds, budget)
        else:
            result, out = _fuzz(number, work, [os.path.join(ROOT, "corpus", "fuzz_pool_diff")], fuzz_seconds, budget)
        result["budget"] = budget
        if keep_log:
            with open(keep_log, "w") as f:
                f.write(out)
        return result
    finally:
        shutil.rmtree(work, ignore_errors=True)
