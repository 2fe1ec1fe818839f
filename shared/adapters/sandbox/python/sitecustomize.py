"""Puts the sandbox guard into every Python a sandboxed program starts (it arrives through
PYTHONPATH), so a harness running `python program.py` runs the candidate under the same guard
and, when that file is a checked one, with the same restricted builtins."""

import os as _os

_config = _os.environ.get("TE_SANDBOX_GUARD")
if _config:
    import sys as _sys

    import te_sandbox_guard as _guard

    _guard.install(_guard.decode(_config))
    _main = _sys.argv[0] if _sys.argv else ""
    if _main and _main != "-c" and _main != "-m":
        if _guard.is_checked(_main) or _guard.is_checked(_os.path.abspath(_main)):
            _sys.modules["__main__"].__dict__["__builtins__"] = _guard.restricted_builtins()
    del _sys, _guard, _main
del _os, _config
