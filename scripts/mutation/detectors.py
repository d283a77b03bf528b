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
"""
import glob
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
CTEST_TIMEOUT = 120  # seconds per test, times the budget
FAILED_TEST = re.compile(r"Test\s+#\d+: (\S+) \.*\**\s*(?:\*\*\*)?(Failed|Exception|Timeout|Not Run|SEGFAULT|Subprocess)")


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


def _ctest(passes, number, work, budget=1):
    env = _env(number, {"POOLCHECK_COUNTEREXAMPLE_DIR": os.path.join(work, "counterexamples")})
    result, log, total = {"outcome": "survived"}, [], 0.0
    for name, selection in passes:
        rc, out, seconds = _run(["ctest", "--test-dir", BUILD, *selection, "--stop-on-failure", "--timeout",
                                 str(CTEST_TIMEOUT * budget), "--output-on-failure", "-j1"], env, 900 * budget)
        total += seconds
        log.append(out)
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
