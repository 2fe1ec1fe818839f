"""Runs one program against the harness in a child of the repair search, and reports what happened
in a JSON file the search reads (not stdout: the program's own output goes there).

    python3 te_repair_case.py <mode> <work dir> <entry> <program file> <report>

mode `eval`: the harness as the judge runs it (the entry script as __main__, exit 0 = pass), then
every `test_*` function it defines is called too, so a test file that only defines its tests
still tests something. mode `trace`: the same, each case (the module body, then each test
function) under sys.settrace, recording which lines of the program file each case ran and where
each failing case's traceback went through the program: the spectrum the search ranks lines by.
"""

import json
import os
import runpy
import sys
import traceback


def main():
    mode, work, entry, program, report = sys.argv[1:6]
    os.chdir(work)
    sys.path.insert(0, work)
    sys.argv = [entry]
    program_path = os.path.join(work, program)
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
        if mode == "trace":
            sys.settrace(tracer)
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
            sys.settrace(None)
        cases.append({"name": name, "passed": error is None, "error": error, "frames": frames,
                      "lines": sorted(current["lines"])})

    namespace = {}

    def body():
        namespace.update(runpy.run_path(os.path.join(work, entry), run_name="__main__"))

    run_case("<module>", body)
    for name, fn in list(namespace.items()):
        if name.startswith("test_") and callable(fn):
            run_case(name, fn)
    with open(report, "w") as out:
        json.dump({"cases": cases}, out)
    sys.stdout.flush()
    os._exit(0 if all(c["passed"] for c in cases) else 1)


if __name__ == "__main__":
    main()
