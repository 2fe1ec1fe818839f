"""Loads the sandbox's seccomp filter (libseccomp's BPF, as hex) into this process, then execs the
rest of its arguments: how a program that is not a Python run (Chromium) starts under the same
filter as every untrusted Python process. The filter survives the exec and every uid change after it.

usage: python3 -S te_sandbox_seccomp_exec.py <bpf-hex> <program> [args...]
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from te_sandbox_supervisor import load_bpf  # noqa: E402

if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.stderr.write(__doc__)
        os._exit(2)
    load_bpf(bytes.fromhex(sys.argv[1]))
    os.execv(sys.argv[2], sys.argv[2:])
