"""Boots one sandboxed run in a single interpreter start (started by te_sandbox_boot.py, so this
module loads from its precompiled .pyc instead of being compiled on every run).

    python -S te_sandbox_boot.py key=value...   (policy and work dir in TE_SANDBOX_GUARD)

1. Hardens itself: no new privileges; at the `process` level also non-dumpable (so a program of
   the same uid cannot read its memory, fds or environ) and a child subreaper (so orphans come
   back to it); at the `ns` level hides the configured paths behind empty read-only tmpfs mounts,
   makes every other mount read-only and gives the run a size-limited tmpfs as its work dir,
   /tmp, /var/tmp and /dev/shm (see te_sandbox_disk).
2. Checks every checked file against the policy; a refusal is reported and nothing runs.
3. Forks. The child sets rlimits, drops to the run's uid, loads the seccomp filter (no socket
   but AF_UNIX, no ptrace, process_vm_*, bpf or io_uring, no System V IPC, message queues or
   keyrings, no signal to its ancestors),
   installs the guard and runs the entry
   as `__main__`. The parent supervises: wall-clock deadline, then kills whatever the run left
   behind (the whole pid namespace, every process of the run's uid, or its descendants) and
   reports how the run ended on fd 3, a line the program cannot reach.

Exit status 0 is not evidence that the harness ran: a candidate imported by a test can end the
process with status 0 before any assertion (`sys.exit(0)` at import time, `os._exit(0)` from a
thread, a signal handler or an atexit hook). So the child also records *completion*, and the
report says whether it did. Completion means the entry ran to its end, or raised SystemExit with
status 0 while no checked code was on the way (when the entry is itself checked, its own
SystemExit counts). The record is a per-run token written to a pipe the parent reads, by an audit
hook installed before any untrusted code exists: the token lives only in that hook's closure (no
Python API lists audit hooks; the garbage collector's object lists could reach it, and the guard
refuses those, and frame tracing, to checked code), and the hook writes it only when called from
the boot's own `child` frame, in the original process and thread. It is written before atexit
hooks, thread joins and interpreter teardown, which can then only turn a pass into a failure.

Starts with `-S` (no site: ~5 ms saved); the site directories are passed in `syspath` instead.
"""

import os
import sys

import _signal

REPORT_FD = 3
# Raised by the boot's own `child` frame, once, when the entry completed with status 0.
COMPLETE_EVENT = "te_sandbox.complete"
# Exit status the child uses for an uncaught MemoryError (the address-space limit was hit).
MEMORY_EXIT = 197
PR_SET_DUMPABLE = 4
PR_SET_CHILD_SUBREAPER = 36
PR_SET_NO_NEW_PRIVS = 38
MS_RDONLY = 1
MS_NOSUID = 2
MS_NODEV = 4
MS_NOEXEC = 8


def report(*fields):
    line = "\t".join(str(f).replace("\t", " ").replace("\n", " ") for f in fields) + "\n"
    try:
        os.write(REPORT_FD, line.encode("utf-8", "replace"))
    except OSError:
        pass


def libc():
    """prctl, mount and syscall through `_ctypes` alone: the `ctypes` package costs ~3 ms to import."""
    import _ctypes

    class c_int(_ctypes._SimpleCData):
        _type_ = "i"

    class c_ulong(_ctypes._SimpleCData):
        _type_ = "L"

    class c_long(_ctypes._SimpleCData):
        _type_ = "l"

    class c_uint(_ctypes._SimpleCData):
        _type_ = "I"

    class c_char_p(_ctypes._SimpleCData):
        _type_ = "z"

    class Fn(_ctypes.CFuncPtr):
        _flags_ = _ctypes.FUNCFLAG_CDECL | _ctypes.FUNCFLAG_USE_ERRNO
        _restype_ = c_int

    handle = _ctypes.dlopen(None, 0)
    prctl = Fn(_ctypes.dlsym(handle, "prctl"))
    prctl.argtypes = (c_int, c_ulong, c_ulong, c_ulong, c_ulong)
    mount = Fn(_ctypes.dlsym(handle, "mount"))
    mount.argtypes = (c_char_p, c_char_p, c_char_p, c_ulong, c_char_p)
    # syscall(number, dirfd, path, flags, struct pointer, size): the shape mount_setattr needs.
    syscall = Fn(_ctypes.dlsym(handle, "syscall"))
    syscall.argtypes = (c_long, c_int, c_char_p, c_uint, c_char_p, c_ulong)
    return prctl, mount, syscall, _ctypes.get_errno


def harden(args, level, workdir):
    prctl, mount, syscall, get_errno = libc()
    if level == "process":
        prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)
        prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    if prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise OSError("no_new_privs refused")
    if level == "ns":
        flags = MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC
        for path in split(args.get("hide", ""), ":"):
            if os.path.isdir(path) and mount(b"tmpfs", path.encode(), b"tmpfs", flags, b"size=4k,mode=555") != 0:
                raise OSError("could not hide %s" % path)
        if args.get("disk_mb"):
            import te_sandbox_disk

            needed = [os.path.dirname(os.path.abspath(__file__)), os.path.dirname(sys.executable)]
            needed += sys.path + split(args.get("syspath", ""), ":")
            uid = int(args.get("uid", "0"))
            gid = int(args.get("gid", "0"))
            calls = te_sandbox_disk.Calls(mount, syscall, get_errno)
            te_sandbox_disk.setup(calls, workdir, int(args["disk_mb"]), uid, gid, needed)


def split(value, sep=","):
    return [v for v in value.split(sep) if v]


def read_original():
    """The client's original program, on stdin (never a file the run could see); stdin then
    becomes /dev/null, as it is for a run without one."""
    chunks = []
    while True:
        chunk = os.read(0, 1 << 20)
        if not chunk:
            break
        chunks.append(chunk)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    return b"".join(chunks)


def check_policy(config, workdir, original):
    """Checks every checked file. Returns (refusal or None, keys of what the original let through).
    With an original, what it already uses is exempt, here and (through the config) in the guard."""
    from te_sandbox_policy import Policy, check_source, original_constructs

    policy = Policy.from_args(config)
    if original is not None:
        from te_sandbox_guard import encode_exempt

        policy.exempt = original_constructs(original, policy)
        config["exempt"] = encode_exempt(policy.exempt)
    allowed = set()
    for name in split(config.get("checked", "")):
        try:
            with open(os.path.join(workdir, name), "rb") as f:
                source = f.read()
        except OSError:
            continue
        refusal = check_source(source, name, policy, allowed)
        if refusal is not None:
            return (name, refusal), allowed
    return None, allowed


def set_limits(args):
    import resource

    mib = 1024 * 1024
    cpu = int(args["cpu_s"])
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    resource.setrlimit(resource.RLIMIT_AS, (int(args["mem_mb"]) * mib,) * 2)
    resource.setrlimit(resource.RLIMIT_FSIZE, (int(args["fsize_mb"]) * mib,) * 2)
    resource.setrlimit(resource.RLIMIT_NOFILE, (int(args["nofile"]),) * 2)
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if args.get("nproc"):
        resource.setrlimit(resource.RLIMIT_NPROC, (int(args["nproc"]),) * 2)


# The one socket family untrusted code may open: AF_UNIX (socketpair, asyncio's self-pipe,
# multiprocessing). Every other is refused: no IP (so no DNS, no Runtime API, no network, whatever
# the VPC allows), no netlink, no raw packets, no vsock to the host of a micro-VM.
AF_UNIX = 1
# Reading or steering other processes, loading kernel programs, and io_uring (which can open
# sockets without the socket() call).
DENIED_CALLS = (
    "ptrace",
    "process_vm_readv",
    "process_vm_writev",
    "bpf",
    "io_uring_setup",
    "io_uring_enter",
    "io_uring_register",
    # What outlives every process of a run and no sweep of files sees: System V IPC objects,
    # POSIX message queues and the uid's kernel keyrings (a later run of the same uid finds them).
    # multiprocessing's semaphores and shared memory are files in /dev/shm, swept like /tmp.
    "shmget",
    "semget",
    "msgget",
    "mq_open",
    "add_key",
    "request_key",
    "keyctl",
)


def ancestors():
    """This process and every ancestor below pid 1 (the runtime that owns the runner among them):
    (pid, process group, thread ids). Read before the fork, while nothing untrusted exists."""
    out = []
    pid = os.getpid()
    while pid > 1:
        try:
            with open("/proc/%d/stat" % pid, "rb") as f:
                stat = f.read()
            fields = stat[stat.rfind(b")") + 2 :].split()
            tids = [int(t) for t in os.listdir("/proc/%d/task" % pid)]
        except (OSError, ValueError):
            break
        out.append((pid, int(fields[2]), tids))
        pid = int(fields[1])
    return out


def import_seccomp(syspath):
    """libseccomp through Debian's `seccomp` binding, or `pyseccomp` (the same API over the same
    library) in the image."""
    added = [p for p in syspath if p not in sys.path]
    sys.path.extend(added)
    try:
        try:
            import seccomp
        except ImportError:
            import pyseccomp as seccomp
    finally:
        for p in added:
            sys.path.remove(p)
    return seccomp


def build_filter(seccomp, protected=()):
    """The filter: an error code, not a kill, so Python raises a clean PermissionError. Another
    architecture's system calls (int 0x80) are killed: libseccomp's default."""
    import errno

    f = seccomp.SyscallFilter(defaction=seccomp.ALLOW)
    # Whole-register comparison, so it fails safe: junk in the upper half of the family (the
    # kernel reads a 32-bit int) is refused too.
    for name in ("socket", "socketpair"):
        f.add_rule(seccomp.ERRNO(errno.EACCES), name, seccomp.Arg(0, seccomp.NE, AF_UNIX))
    for name in DENIED_CALLS:
        try:
            f.add_rule(seccomp.ERRNO(errno.EPERM), name)
        except (RuntimeError, ValueError):
            if name.startswith("io_uring"):
                continue  # a libseccomp too old to know io_uring
            raise
    # No signal to the supervisor or the runtime above it (at the `process` level they share the
    # run's uid): not by pid or thread id, not to their process groups, not to "every process I
    # may signal" (-1) nor to the supervisor's own group (0). A pid argument is 32 bits wide.
    deny = seccomp.ERRNO(errno.EPERM)

    def pid_is(value):
        return seccomp.Arg(0, seccomp.MASKED_EQ, 0xFFFFFFFF, value & 0xFFFFFFFF)

    f.add_rule(deny, "tkill")
    if protected:
        f.add_rule(deny, "kill", pid_is(0))
        f.add_rule(deny, "kill", pid_is(-1))
    for pid, group, tids in protected:
        for target in set([pid] + tids):
            f.add_rule(deny, "kill", pid_is(target))
            f.add_rule(deny, "pidfd_open", pid_is(target))
        f.add_rule(deny, "kill", pid_is(-group))
        for name in ("tgkill", "rt_sigqueueinfo", "rt_tgsigqueueinfo"):
            f.add_rule(deny, name, pid_is(pid))
    return f


def export_filter(syspath):
    """The filter without ancestors, as the kernel's BPF program in hex: the runner compiles it
    once at start (`python -S -c ...`), and runs that need no ancestor rules load it as it is."""
    import tempfile

    f = build_filter(import_seccomp(syspath))
    with tempfile.TemporaryFile() as out:
        f.export_bpf(out)
        out.seek(0)
        return out.read().hex()


def load_seccomp(args, protected):
    """Loads the filter into this process; every process it starts inherits it and cannot lift it.
    With ancestors to protect (the `process` level), built now with libseccomp; otherwise the
    program libseccomp compiled at the runner's start, loaded with prctl (no import: ~0.6 ms)."""
    if protected or not args.get("seccomp_bpf"):
        build_filter(import_seccomp(split(args.get("syspath", ""), ":")), protected).load()
        return
    load_bpf(bytes.fromhex(args["seccomp_bpf"]))


PR_SET_SECCOMP = 22
SECCOMP_MODE_FILTER = 2


def load_bpf(program):
    import _ctypes

    class c_ushort(_ctypes._SimpleCData):
        _type_ = "H"

    class c_char(_ctypes._SimpleCData):
        _type_ = "c"

    class c_void_p(_ctypes._SimpleCData):
        _type_ = "P"

    class Program(_ctypes.Structure):
        _fields_ = [("len", c_ushort), ("filter", c_void_p)]

    class Bytes(_ctypes.Array):
        _type_ = c_char
        _length_ = len(program)

    if len(program) % 8 != 0 or not program:
        raise OSError("the seccomp program is not a whole number of instructions")
    code = Bytes.from_buffer_copy(program)
    fprog = Program(len(program) // 8, _ctypes.addressof(code))
    prctl = libc()[0]
    if prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, _ctypes.addressof(fprog), 0, 0) != 0:
        raise OSError("the seccomp filter was refused")


def drop_to(uid, gid):
    os.setgroups([])
    os.setresgid(gid, gid, gid)
    os.setresuid(uid, uid, uid)


def child(args, config, workdir, protected=()):
    """Runs in the forked child; never returns (exits through SystemExit or os._exit)."""
    try:
        try:
            os.close(REPORT_FD)
        except OSError:
            pass
        set_limits(args)
        if args.get("uid"):
            drop_to(int(args["uid"]), int(args["gid"]))
        if args.get("seccomp") == "1":
            load_seccomp(args, protected)
        os.umask(0o077)
        os.chdir(workdir)
        # Python ignores SIGXFSZ; restore the default so the file size limit ends the run like the others.
        _signal.signal(_signal.SIGXFSZ, _signal.SIG_DFL)
        import te_sandbox_guard as guard

        entry = args["entry"]
        path = os.path.join(workdir, entry)
        # The work dir first, as for `python entry.py`; this directory out of reach of plain imports.
        own = os.path.dirname(os.path.abspath(__file__))
        paths = [workdir] + [p for p in sys.path if p and p != own] + split(args.get("syspath", ""), ":")
        sys.path[:] = [p for i, p in enumerate(paths) if p not in paths[:i]]
        sys.argv[:] = [path]
        sys.dont_write_bytecode = True
        guard.install(config)
        checked = guard.is_checked(path)
        with open(path, "rb") as f:
            source = f.read()
        # Bound before any untrusted code runs: the program can rebind module attributes, not these.
        audit = sys.audit
        event = COMPLETE_EVENT
        leave = sys.exit
    except BaseException as error:  # noqa: the run could not start; say why on stderr
        sys.stderr.write("sandbox: could not start the program: %s\n" % (error,))
        sys.stderr.flush()
        os._exit(70)
    code, completed = run_main(source, path, guard, checked)
    if completed and code == 0:
        audit(event)
    leave(code)


def run_main(source, path, guard, checked):
    """Runs the entry as `__main__`. Returns (exit status, whether the harness completed).

    Everything used after the program starts is bound to a local first: the program can reach
    this module and the builtins and rebind what they hold, but not a running frame's locals.
    """
    builtins_ = guard.restricted_builtins() if checked else __builtins__
    checked_names = guard.checked_names()
    checked_globals = guard.checked_globals()
    exit_code_of = SystemExit.code.__get__
    traceback_of = BaseException.__traceback__.__get__
    is_int = isinstance
    low_byte = int.__and__
    memory_exit = MEMORY_EXIT
    say_exit = print_exit
    say_error = print_error
    main = type(sys)("__main__")
    main.__file__ = path
    main.__builtins__ = builtins_
    main.__cached__ = None
    sys.modules["__main__"] = main
    try:
        code = compile(source, path, "exec", dont_inherit=True)
        exec(code, main.__dict__)
    except SystemExit as done:
        value = exit_code_of(done)
        if value is None:
            status = 0
        elif is_int(value, int):
            status = low_byte(value, 0xFF)
        else:
            say_exit(value)
            return 1, False
        if status != 0:
            return value, False
        if checked:
            # The entry is the checked program itself ("runs" harness): its own exit is its verdict.
            return 0, True
        # A test may end itself with status 0; a candidate may not end it for it. Any checked
        # frame between the raise and here means checked code was running when the exit came.
        tb = traceback_of(done)
        while tb is not None:
            frame = tb.tb_frame
            if frame.f_code.co_filename in checked_names:
                return 0, False
            globals_ = frame.f_globals
            for known in checked_globals:
                if globals_ is known:
                    return 0, False
            tb = tb.tb_next
        return 0, True
    except MemoryError as error:
        say_error(error)
        return memory_exit, False
    except BaseException as error:
        say_error(error)
        return 1, False
    return 0, True


def print_exit(value):
    sys.stderr.write("%s\n" % (value,))
    return 1


def print_error(error):
    tb = error.__traceback__
    # Drop this file's frames: the traceback should read as if Python ran the entry itself.
    while tb is not None and tb.tb_frame.f_code.co_filename == __file__:
        tb = tb.tb_next
    error.__traceback__ = tb  # the default hook prints the exception's own traceback, not its argument
    try:
        sys.excepthook(type(error), error, tb)
    except BaseException:
        sys.stderr.write("%s: %s\n" % (type(error).__name__, error))


class Deadline(Exception):
    pass


def on_alarm(signum, frame):
    raise Deadline()


def supervise(pid, args, level, completion_fd, token):
    _signal.signal(_signal.SIGALRM, on_alarm)
    _signal.setitimer(_signal.ITIMER_REAL, int(args["timeout_ms"]) / 1000.0)
    status = None
    try:
        _, status = os.waitpid(pid, 0)
        _signal.setitimer(_signal.ITIMER_REAL, 0)
    except Deadline:
        pass
    kill_leftovers(args, level, pid)
    if status is None:
        report("timeout")
        return 124
    code = os.waitstatus_to_exitcode(status)
    if code < 0:
        report("signal", -code)
        return 128 - code
    if code == MEMORY_EXIT:
        report("memory")
        return 1
    report("exit", code, 1 if completed(completion_fd, token) else 0)
    return code


def completed(fd, token):
    """Whether the child wrote the token. It did so before it exited, so whatever it wrote is in
    the pipe now; anything else there (a descendant can hold the write end) is ignored. Bounded
    by the pipe's capacity."""
    os.set_blocking(fd, False)
    data = b""
    while True:
        try:
            chunk = os.read(fd, 65536)
        except (BlockingIOError, InterruptedError):
            break
        if not chunk:
            break
        data += chunk
    return token in data


def arm_completion(fd, token, caller):
    """Installs the hook that writes `token` to `fd`: once, and only when COMPLETE_EVENT comes
    from `child` called by `caller` (main's frame), in this process and this thread. Every name
    the hook uses is bound here, before any untrusted code exists."""
    pid = os.getpid()
    get_pid = os.getpid
    import _thread

    get_ident = _thread.get_ident
    ident = get_ident()
    get_frame = sys._getframe
    write = os.write
    expected = child.__code__
    done = []

    def hook(event, args):
        if event != COMPLETE_EVENT or done:
            return
        frame = get_frame(1)
        if frame.f_code is not expected or frame.f_back is not caller:
            return
        if get_pid() != pid or get_ident() != ident:
            return
        done.append(True)
        try:
            write(fd, token)
        except OSError:
            pass

    sys.addaudithook(hook)


def kill_leftovers(args, level, pid):
    """Daemonised grandchildren and `setsid` escapes die here, whether the run ended or timed out."""
    if level in ("ns", "userns"):
        # As init of the run's pid namespace, kill(-1) reaches exactly the run's processes.
        if os.getpid() == 1:
            kill_all(-1)
        return
    if args.get("uid"):
        kill_uid(int(args["uid"]), int(args["gid"]))
    else:
        kill_descendants()
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass


def kill_all(target):
    for _ in range(3):
        try:
            os.kill(target, _signal.SIGKILL)
        except ProcessLookupError:
            return
        except PermissionError:
            return


def kill_uid(uid, gid):
    """kill(-1) from a process running as the run's uid reaches every process of that uid and nothing else."""
    killer = os.fork()
    if killer == 0:
        try:
            drop_to(uid, gid)
            kill_all(-1)
        finally:
            os._exit(0)
    os.waitpid(killer, 0)


def kill_descendants():
    """Kills the subtree until it is gone and every member is reaped: a killed orphan left to an
    init that does not reap stays a zombie, counted against the uid's process limit."""
    import time

    me = os.getpid()
    deadline = time.monotonic() + 2.0
    while True:
        found = children_tree(me)
        for p in found:
            try:
                os.kill(p, _signal.SIGKILL)
            except OSError:
                pass
        if not reap() or time.monotonic() > deadline:
            return
        time.sleep(0.005)


def reap():
    """Reaps what has exited; whether children remain."""
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return False
        if pid == 0:
            return True


def children_tree(root):
    """The subtree under `root`, from /proc/<pid>/task/<tid>/children (orphans come back to this
    subreaper, so the tree holds them all); a scan of every /proc/<pid>/stat where that file is missing."""
    if not os.path.exists("/proc/%d/task/%d/children" % (root, root)):
        return descendants(root)
    out = []
    todo = [root]
    while todo:
        pid = todo.pop()
        try:
            tids = os.listdir("/proc/%d/task" % pid)
        except OSError:
            continue
        for tid in tids:
            try:
                with open("/proc/%d/task/%s/children" % (pid, tid), "rb") as f:
                    kids = [int(k) for k in f.read().split()]
            except OSError:
                continue
            out.extend(kids)
            todo.extend(kids)
    return out


def descendants(root):
    children = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % entry, "rb") as f:
                stat = f.read()
        except OSError:
            continue
        fields = stat[stat.rfind(b")") + 2 :].split()
        if len(fields) > 1:
            children.setdefault(int(fields[1]), []).append(int(entry))
    out = []
    todo = [root]
    while todo:
        for c in children.get(todo.pop(), ()):
            out.append(c)
            todo.append(c)
    return out


def main():
    from te_sandbox_guard import ENV_NAME, decode

    args = dict(a.partition("=")[::2] for a in sys.argv[1:])
    config = decode(os.environ.get(ENV_NAME, ""))
    level = args.get("level", "process")
    workdir = config["workdir"]
    try:
        harden(args, level, workdir)
    except OSError as error:
        report("error", "hardening failed: %s" % (error,))
        return 71
    original = read_original() if args.get("original") == "1" else None
    if config.get("checked"):
        refused, allowed = check_policy(config, workdir, original)
        if refused is not None:
            name, refusal = refused
            report("blocked", refusal.rule, name, refusal.line, refusal.detail)
            return 3
        if allowed:
            from te_sandbox_policy import describe

            for key in sorted(allowed):
                report("allowed", describe(key))
    if config.get("exempt"):
        from te_sandbox_guard import ENV_NAME as _name, encode

        # Every Python the run starts reads the guard's config from here (sitecustomize).
        os.environ[_name] = encode(config)
    sys.stdout.flush()
    completion_r, completion_w = os.pipe()
    token = os.urandom(16).hex().encode()
    # Only at `process` do the supervisor and the runtime share the run's uid (elsewhere another
    # uid or a pid namespace keeps signals from them).
    protected = ancestors() if args.get("seccomp_binding") == "1" and level == "process" else ()
    pid = os.fork()
    if pid == 0:
        os.close(completion_r)
        os.set_blocking(completion_w, False)
        arm_completion(completion_w, token, sys._getframe())
        del token  # the hook's closure holds the only copy the program could look for
        child(args, config, workdir, protected)
        os._exit(70)
    os.close(completion_w)
    code = supervise(pid, args, level, completion_r, token)
    if code == 0 and args.get("collect"):
        collect(args["collect"], workdir)
    return code


def collect(wanted, workdir):
    """Hands back the files the job asked for, on the report line the program cannot reach. Runs
    after the run's processes are gone, so nothing changes a file while it is read; the work dir
    was the program's, so a name is opened without following a link or blocking on a FIFO, must
    be a regular file and is read no further than its cap."""
    import base64
    import stat

    for pair in wanted.split(","):
        name, _, cap = pair.rpartition(":")
        limit = int(cap)
        try:
            fd = os.open(os.path.join(workdir, name), os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        except FileNotFoundError:
            report("collect-error", name, "not written")
            continue
        except OSError as error:
            report("collect-error", name, "a link, not a file" if error.errno == 40 else "unreadable")
            continue
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                report("collect-error", name, "not a regular file")
                continue
            if info.st_size > limit:
                report("collect-error", name, "larger than %d bytes" % limit)
                continue
            chunks = []
            left = limit + 1
            while left > 0:
                chunk = os.read(fd, min(left, 1 << 20))
                if not chunk:
                    break
                chunks.append(chunk)
                left -= len(chunk)
            data = b"".join(chunks)
            if len(data) > limit:
                report("collect-error", name, "larger than %d bytes" % limit)
                continue
            write_all(b"collect\t" + name.encode() + b"\t" + base64.b64encode(data) + b"\n")
        finally:
            os.close(fd)


def write_all(data):
    view = memoryview(data)
    while view:
        try:
            written = os.write(REPORT_FD, view)
        except InterruptedError:
            continue
        except OSError:
            return
        view = view[written:]


def run():
    os._exit(main())
