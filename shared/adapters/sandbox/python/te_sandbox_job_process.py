"""Turns a fork of the warm interpreter (te_sandbox_forkserver) into what a fresh start of the
boot script would be, then runs the supervisor's main() in it: the same containment, applied by
the same code, per run.

What a fresh run is, and what is re-made here before anything of the run exists:

* its own session and process group (Node's `detached`), and death with the server
  (PR_SET_PDEATHSIG), as `unshare --kill-child` ties the run to its parent;
* exactly four fds: stdin (the run's socket, or /dev/null), stdout, stderr and the report, as
  Node's spawn gives; every other fd the server held (its channel to the runner, other runs'
  sockets) is closed here, first;
* the work dir as cwd, the run's environment and nothing else (the server's own variables go),
  `sys.argv` and `sys.path` as `python -S <boot> args…` would have them, and the server's own
  plumbing modules unloaded;
* /proc/<pid>/cmdline and environ showing that command and environment (the runner and its
  tests find what a run left behind by what these files mention);
* at `ns`, `unshare --net --pid --mount --fork --mount-proc`: new network, pid and mount
  namespaces (private propagation), this process waiting as the outer one does and passing on
  how the run's pid 1 ended, and the pid 1 mounting its own /proc.

Then te_sandbox_supervisor.main() does the rest as for a fresh start: hidden paths, the disk,
policy, rlimits, the run's uid, no_new_privs, seccomp, the guard, the deadline and the kill.

What a fork shares with the server and a fresh start would not: the address-space layout and the
string hash seed (both fixed when the server started), and the server's heap as it was at the
fork, which holds requests (paths, limits, the guard's config) and never a run's code or output.
"""

import os
import sys

import _ctypes
import _signal

import te_sandbox_supervisor as supervisor

PR_SET_PDEATHSIG = 1
PR_SET_MM = 35
PR_SET_MM_MAP = 14
# brk's number on x86_64 and aarch64 (the machines the image and CI run on).
SYS_BRK = {"x86_64": 12, "aarch64": 214}.get(os.uname().machine)
CLONE_NEWNS = 0x00020000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000
MS_NOSUID = 2
MS_NODEV = 4
MS_NOEXEC = 8
MS_REC = 16384
MS_PRIVATE = 1 << 18
FIRST_FREE_FD = 4
# Keeps the buffer /proc/<pid>/cmdline and environ point at alive for the process's life.
_shown = []


class Context:
    """What the server knew at start, for every job: its pid, the interpreter's own paths, and the
    modules it imported for itself (unloaded in the job)."""

    def __init__(self, server_pid, stdlib, plumbing):
        self.server_pid = server_pid
        self.stdlib = stdlib
        self.plumbing = plumbing


def become(request, fds, channel, context):
    """Runs in the fork; never returns (it ends by os._exit or by an exception that ends the
    interpreter, as the boot script does)."""
    try:
        # The channel to the runner is the server's alone: the socket object lets go of it here
        # and the fd goes with every other one below, before anything of the run exists.
        channel.detach()
        prctl, mount = calls()
        if prctl(PR_SET_PDEATHSIG, _signal.SIGKILL, 0, 0, 0) != 0 or os.getppid() != context.server_pid:
            os._exit(70)
        os.setsid()
        take_fds(fds)
        os.chdir(request.cwd)
        os.environ.clear()
        os.environ.update(request.env)
        paths = [os.path.dirname(request.boot)] + split(request.env.get("PYTHONPATH", "")) + context.stdlib
        sys.path[:] = [p for i, p in enumerate(paths) if p not in paths[:i]]
        sys.argv[:] = [request.boot] + request.args
        for name in context.plumbing:
            sys.modules.pop(name, None)
        show_as([request.python, "-S", request.boot] + request.args, request.env, prctl)
        if "level=ns" in request.args:
            enter_namespaces(prctl, mount)
    except BaseException as error:  # noqa: the run could not be made; say why where the runner looks
        try:
            os.write(2, ("sandbox: could not prepare the job process: %s\n" % (error,)).encode())
        finally:
            os._exit(71)
    # As te_sandbox_supervisor.run() in a fresh boot: what the program raises to end its own
    # process (SystemExit from the run's child) goes up to the interpreter, which runs its
    # atexit hooks and exits with the status they leave, as it would at the top of a fresh start.
    os._exit(supervisor.main())


def split(value):
    return [v for v in value.split(":") if v]


def take_fds(fds):
    stdin = fds.get("stdin")
    if stdin is None:
        stdin = os.open(os.devnull, os.O_RDONLY)
    os.dup2(stdin, 0)
    os.dup2(fds["stdout"], 1)
    os.dup2(fds["stderr"], 2)
    os.dup2(fds["report"], supervisor.REPORT_FD)
    import resource

    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    top = hard if 0 < hard < (1 << 20) else 1 << 20
    os.closerange(FIRST_FREE_FD, top)


def calls():
    prctl, mount, _, _ = supervisor.libc()
    return prctl, mount


def libc_unshare():
    class c_int(_ctypes._SimpleCData):
        _type_ = "i"

    class Fn(_ctypes.CFuncPtr):
        _flags_ = _ctypes.FUNCFLAG_CDECL | _ctypes.FUNCFLAG_USE_ERRNO
        _restype_ = c_int

    unshare = Fn(_ctypes.dlsym(_ctypes.dlopen(None, 0), "unshare"))
    unshare.argtypes = (c_int,)
    return unshare


def show_as(argv, env, prctl):
    """Points /proc/self/cmdline and environ at the fresh start's command and environment, with
    PR_SET_MM_MAP (no capability needed while the executable stays; children inherit it)."""

    class c_char(_ctypes._SimpleCData):
        _type_ = "c"

    cmdline = b"".join(os.fsencode(a) + b"\0" for a in argv)
    environ = b"".join(os.fsencode("%s=%s" % item) + b"\0" for item in env.items())

    class Buffer(_ctypes.Array):
        _type_ = c_char
        _length_ = len(cmdline) + len(environ)

    buffer = Buffer.from_buffer_copy(cmdline + environ)
    _shown.append(buffer)
    start = _ctypes.addressof(buffer)
    with open("/proc/self/stat", "rb") as f:
        stat = f.read()
    # Counted from field 3 (the state): startcode 26, endcode 27, startstack 28, start_data 45,
    # end_data 46, start_brk 47.
    fields = [int(v) if v.lstrip(b"-").isdigit() else 0 for v in stat[stat.rfind(b")") + 2 :].split()]
    mm_map = [
        fields[23],  # start_code
        fields[24],  # end_code
        fields[42],  # start_data
        fields[43],  # end_data
        fields[44],  # start_brk
        current_brk(),
        fields[25],  # start_stack
        start,
        start + len(cmdline),
        start + len(cmdline),
        start + len(cmdline) + len(environ),
        0,  # auxv: unchanged
    ]
    data = b"".join(v.to_bytes(8, sys.byteorder) for v in mm_map)
    data += (0).to_bytes(4, sys.byteorder) + (0xFFFFFFFF).to_bytes(4, sys.byteorder)  # auxv_size, exe_fd: unchanged

    class Map(_ctypes.Array):
        _type_ = c_char
        _length_ = len(data)

    struct = Map.from_buffer_copy(data)
    if prctl(PR_SET_MM, PR_SET_MM_MAP, _ctypes.addressof(struct), len(data), 0) != 0:
        raise OSError(_ctypes.get_errno(), "PR_SET_MM_MAP refused")


def current_brk():
    """The program break as the kernel has it: brk(0) asks without moving it."""

    class c_long(_ctypes._SimpleCData):
        _type_ = "l"

    class Fn(_ctypes.CFuncPtr):
        _flags_ = _ctypes.FUNCFLAG_CDECL
        _restype_ = c_long

    if SYS_BRK is None:
        raise OSError("brk's system call number is not known on %s" % os.uname().machine)
    syscall = Fn(_ctypes.dlsym(_ctypes.dlopen(None, 0), "syscall"))
    syscall.argtypes = (c_long, c_long)
    return syscall(SYS_BRK, 0)


def enter_namespaces(prctl, mount):
    """What `unshare --net --pid --fork --kill-child --mount-proc` does before it execs: returns in
    the run's pid 1; this process waits for it and ends as it did."""
    unshare = libc_unshare()
    if unshare(CLONE_NEWNET | CLONE_NEWPID | CLONE_NEWNS) != 0:
        raise OSError(_ctypes.get_errno(), "unshare refused")
    if mount(b"none", b"/", None, MS_REC | MS_PRIVATE, None) != 0:
        raise OSError(_ctypes.get_errno(), "could not make / private")
    pid = os.fork()
    if pid != 0:
        wait_as_outer(pid)
    if prctl(PR_SET_PDEATHSIG, _signal.SIGKILL, 0, 0, 0) != 0:
        os._exit(71)
    if mount(b"none", b"/proc", None, MS_PRIVATE | MS_REC, None) != 0:
        raise OSError(_ctypes.get_errno(), "could not make /proc private")
    if mount(b"proc", b"/proc", b"proc", MS_NOSUID | MS_NOEXEC | MS_NODEV, None) != 0:
        raise OSError(_ctypes.get_errno(), "could not mount /proc")


def wait_as_outer(pid):
    """Never returns: ends with the pid 1's exit status, or by its signal (as unshare does)."""
    while True:
        try:
            _, status = os.waitpid(pid, 0)
            break
        except InterruptedError:
            continue
    code = os.waitstatus_to_exitcode(status)
    if code >= 0:
        os._exit(code)
    signal = -code
    if signal != _signal.SIGKILL:
        _signal.signal(signal, _signal.SIG_DFL)
    _signal.pthread_sigmask(_signal.SIG_UNBLOCK, [signal])
    os.kill(os.getpid(), signal)
    os._exit(128 + signal)
