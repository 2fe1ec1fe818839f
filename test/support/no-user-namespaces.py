"""Starts a program where user namespaces cannot be made, as in AWS Lambda: unshare() and clone()
with CLONE_NEWUSER fail with EPERM, and clone3 (whose flags a filter cannot read) with ENOSYS, so
the C library falls back to clone. Chromium's own sandbox then cannot start, as there.

usage: python3 no-user-namespaces.py <program> [args...]
"""

import errno
import os
import sys

import seccomp

CLONE_NEWUSER = 0x10000000

f = seccomp.SyscallFilter(defaction=seccomp.ALLOW)
for name in ("unshare", "clone"):
    f.add_rule(
        seccomp.ERRNO(errno.EPERM),
        name,
        seccomp.Arg(0, seccomp.MASKED_EQ, CLONE_NEWUSER, CLONE_NEWUSER),
    )
f.add_rule(seccomp.ERRNO(errno.ENOSYS), "clone3")
f.load()
os.execv(sys.argv[1], sys.argv[1:])
