"""Loads the sandbox's seccomp filter (libseccomp's BPF, as hex) into this process, then execs the
rest of its arguments: how a program that is not a Python run (Chromium) starts under the same
filter as every untrusted Python process. The filter survives the exec and every uid change after it.

Resource limits given as --limit=NAME:VALUE (data, nproc, fsize, nofile, core; bytes or counts) are
set first: where util-linux's prlimit may be missing (the Lambda image), this process sets them.

usage: python3 -S te_sandbox_seccomp_exec.py [--limit=NAME:VALUE ...] <bpf-hex> <program> [args...]
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from te_sandbox_supervisor import load_bpf  # noqa: E402

LIMITS = {
    "data": "RLIMIT_DATA",
    "nproc": "RLIMIT_NPROC",
    "fsize": "RLIMIT_FSIZE",
    "nofile": "RLIMIT_NOFILE",
    "core": "RLIMIT_CORE",
}


def set_limits(options):
    import resource

    for option in options:
        name, _, value = option[len("--limit=") :].partition(":")
        limit = int(value)
        resource.setrlimit(getattr(resource, LIMITS[name]), (limit, limit))


if __name__ == "__main__":
    args = sys.argv[1:]
    options = []
    while args and args[0].startswith("--limit="):
        options.append(args.pop(0))
    if len(args) < 2:
        sys.stderr.write(__doc__)
        os._exit(2)
    set_limits(options)
    load_bpf(bytes.fromhex(args[0]))
    os.execv(args[1], args[1:])
