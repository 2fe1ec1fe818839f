"""Boots one sandboxed run in a single interpreter start (started by te_sandbox_boot.py, so this
module loads from its precompiled .pyc instead of being compiled on every run).

    python -S te_sandbox_boot.py key=value...   (policy and work dir in TE_SANDBOX_GUARD)

1. Hardens itself: no new privileges; at the `process` level also non-dumpable (so a program of
   the same uid cannot read its memory, fds or environ) and a child subreaper (so orphans come
   back to it); at the `ns` level hides the configured paths behind empty read-only tmpfs mounts.
2. Checks every checked file against the policy; a refusal is reported and nothing runs.
3. Forks. The child sets rlimits, drops to the run's uid, installs the guard and runs the entry
   as `__main__`. The parent supervises: wall-clock deadline, then kills whatever the run left
   behind (the whole pid namespace, every process of the run's uid, or its descendants) and
   reports how the run ended on fd 3, a line the program cannot reach.

Starts with `-S` (no site: ~5 ms saved); the site directories are passed in `syspath` instead.
"""

import os
import sys

import _signal

REPORT_FD = 3
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
    """prctl and mount through `_ctypes` alone: the `ctypes` package costs ~3 ms to import."""
    import _ctypes

    class c_int(_ctypes._SimpleCData):
        _type_ = "i"

    class c_ulong(_ctypes._SimpleCData):
        _type_ = "L"

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
    return prctl, mount


def harden(args, level):
    prctl, mount = libc()
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


def split(value, sep=","):
    return [v for v in value.split(sep) if v]


def check_policy(config, workdir):
    from te_sandbox_policy import Policy, check_source

    policy = Policy.from_args(config)
    for name in split(config.get("checked", "")):
        try:
            with open(os.path.join(workdir, name), "rb") as f:
                source = f.read()
        except OSError:
            continue
        refusal = check_source(source, name, policy)
        if refusal is not None:
            return name, refusal
    return None


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


def drop_to(uid, gid):
    os.setgroups([])
    os.setresgid(gid, gid, gid)
    os.setresuid(uid, uid, uid)


def child(args, config, workdir):
    """Runs in the forked child; never returns (exits through SystemExit or os._exit)."""
    try:
        try:
            os.close(REPORT_FD)
        except OSError:
            pass
        set_limits(args)
        if args.get("uid"):
            drop_to(int(args["uid"]), int(args["gid"]))
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
    except BaseException as error:  # noqa: the run could not start; say why on stderr
        sys.stderr.write("sandbox: could not start the program: %s\n" % (error,))
        sys.stderr.flush()
        os._exit(70)
    code = run_main(source, path, guard.restricted_builtins() if checked else __builtins__)
    sys.exit(code)


def run_main(source, path, builtins_):
    main = type(sys)("__main__")
    main.__file__ = path
    main.__builtins__ = builtins_
    main.__cached__ = None
    sys.modules["__main__"] = main
    try:
        code = compile(source, path, "exec", dont_inherit=True)
        exec(code, main.__dict__)
    except SystemExit as done:
        return done.code if done.code is None or isinstance(done.code, int) else print_exit(done.code)
    except MemoryError as error:
        print_error(error)
        return MEMORY_EXIT
    except BaseException as error:
        print_error(error)
        return 1
    return 0


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


def supervise(pid, args, level):
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
    report("exit", code)
    return code


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
    me = os.getpid()
    for _ in range(100):
        found = children_tree(me)
        if not found:
            break
        for p in found:
            try:
                os.kill(p, _signal.SIGKILL)
            except OSError:
                pass
        reap()
    reap()


def reap():
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


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
        harden(args, level)
    except OSError as error:
        report("error", "hardening failed: %s" % (error,))
        return 71
    if config.get("checked"):
        refused = check_policy(config, workdir)
        if refused is not None:
            name, refusal = refused
            report("blocked", refusal.rule, name, refusal.line, refusal.detail)
            return 3
    sys.stdout.flush()
    pid = os.fork()
    if pid == 0:
        child(args, config, workdir)
        os._exit(70)
    return supervise(pid, args, level)


def run():
    os._exit(main())
