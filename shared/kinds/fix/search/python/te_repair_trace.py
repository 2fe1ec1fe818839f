"""The repair search's localization run: the harness as the judge runs it, under line tracing.
It is the entry of an ordinary sandbox job (the program is a checked file, imported through the
guard as in any run); this script is not checked, so its own `sys.settrace` is allowed, while the
program's would be refused.

Reads te_repair_trace.json from the work dir: {"entry": harness file, "program": program file}.
Runs each case (the harness's module body as __main__, then every `test_*` function it defines,
so a test file that only defines its tests still tests something), records which lines of the
program each case ran and, for a failing case, the program lines its traceback went through.
The report is the last line of stdout, after MARKER, written straight to fd 1 (the program may
rebind sys.stdout); the exit status says whether every case passed.
"""

import json
import os
import runpy
import sys
import traceback

MARKER = "te-repair-trace:"
CONFIG = "te_repair_trace.json"


def main():
    write = os.write
    settrace = sys.settrace
    work = os.getcwd()
    with open(os.path.join(work, CONFIG)) as f:
        config = json.load(f)
    entry = config["entry"]
    program_path = os.path.join(work, config["program"])
    cases = []
    current = {"lines": set()}

    def tracer(frame, event, arg):
        # Only the program's own frames matter; returning None stops tracing anything else.
        if frame.f_code.co_filename != program_path:
            return None
        if event == "line":
            current["lines"].add(frame.f_lineno)
        return tracer

    def run_case(name, fn):
        current["lines"] = set()
        settrace(tracer)
        error = None
        frames = []
        try:
            fn()
        except SystemExit as exc:
            if exc.code not in (None, 0):
                error = "SystemExit: %s" % (exc.code,)
        except BaseException as exc:  # the case failed however it failed
            error = "".join(traceback.format_exception_only(type(exc), exc)).strip()
            frames = [f.lineno for f in traceback.extract_tb(exc.__traceback__) if f.filename == program_path]
        finally:
            settrace(None)
        cases.append({"name": name, "passed": error is None, "error": (error or "")[:500] or None,
                      "frames": frames, "lines": sorted(current["lines"])})

    namespace = {}

    def body():
        namespace.update(runpy.run_path(os.path.join(work, entry), run_name="__main__"))

    run_case("<module>", body)
    for name, fn in list(namespace.items()):
        if name.startswith("test_") and callable(fn):
            run_case(name, fn)
    line = "\n" + MARKER + json.dumps({"cases": cases}) + "\n"
    sys.stdout.flush()
    write(1, line.encode())
    if not all(c["passed"] for c in cases):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
