"""Run-time guard, the second layer behind the pre-flight check.

Installed in the sandboxed interpreter (by te_sandbox_boot.py) and in every Python it starts (by
sitecustomize.py, through PYTHONPATH). It has two parts:

* restricted builtins for checked code: the entry (when checked) and checked modules imported by
  a harness run without eval/exec/compile/breakpoint, and their `import` statements go through the
  policy. The harness keeps the normal builtins, so a test can still import a candidate or start
  it with `subprocess.run([sys.executable, "program.py"])`.
* an audit hook. For everyone: no reading any process's environ, no writing outside the work dir,
  no network beyond loopback and unix sockets. While checked code is on the stack: no processes,
  no signals, no ctypes, no links, no blocked imports, no reading outside the work dir and the
  interpreter's own files, no tracing or profiling hooks, no walking the garbage collector's
  object lists or other threads' frames; and checked code itself may not make code objects or
  functions (which could carry another file's name) nor swap a function's code.

What the client's original program already uses is let through here too (`exempt` in the
config, from te_sandbox_policy.original_constructs): `eval` stays among the builtins when the
original calls it, and an original that starts processes lets its candidates start them. The
kernel layers (seccomp, namespaces, uid, rlimits) hold for everyone, whatever the original does.

The trade-off: "checked code on the stack" follows frames, so a callback handed to the standard
library and run later without a checked frame (an `atexit` hook, say) escapes the second part.
The kernel layers (namespaces, uid, rlimits) still hold it.
"""

import builtins
import os
import sys

from te_sandbox_policy import Policy, parse_args

ENV_NAME = "TE_SANDBOX_GUARD"

_real_import = builtins.__import__
_getframe = sys._getframe
_realpath = os.path.realpath
_normpath = os.path.normpath
_getcwd = os.getcwd

_state = {}


class SandboxRefusal(PermissionError):
    """Raised into the program when the guard refuses something."""


def encode(args):
    return "|".join("%s=%s" % (k, v) for k, v in args.items())


def decode(value):
    return parse_args(value.split("|")) if value else {}


def encode_exempt(keys):
    """`kind:value,…` for the config; a value the format cannot carry is left out (so refused)."""
    return ",".join(
        "%s:%s" % key for key in sorted(keys) if not any(c in key[1] for c in ",|\n\0")
    )


def decode_exempt(value):
    out = set()
    for item in value.split(","):
        kind, sep, rest = item.partition(":")
        if sep and rest:
            out.add((kind, rest))
    return frozenset(out)


_PROCESS_EVENTS = ("os.system", "os.exec", "os.spawn", "os.posix_spawn", "os.fork", "os.forkpty", "subprocess.Popen")
_PROCESS_CALLS = ("os.system", "os.popen", "os.exec", "os.spawn", "os.posix_spawn", "asyncio.create_subprocess_")
_PROCESS_IMPORTS = ("subprocess", "_posixsubprocess", "pty", "multiprocessing", "pexpect", "asyncio.subprocess")
_EVENTS_BY_CALL = {
    "os.fork": ("os.fork", "os.forkpty"),
    "os.forkpty": ("os.fork", "os.forkpty"),
    "os.register_at_fork": ("os.fork",),
    "os.kill": ("os.kill", "os.killpg"),
    "os.killpg": ("os.kill", "os.killpg"),
    "os.symlink": ("os.symlink",),
    "os.link": ("os.link",),
    "sys.settrace": ("sys.settrace",),
    "sys.setprofile": ("sys.setprofile",),
}
_EVENTS_BY_IMPORT = {
    "ctypes": ("ctypes.dlopen", "ctypes.dlsym", "ctypes.cdata"),
    "_ctypes": ("ctypes.dlopen", "ctypes.dlsym", "ctypes.cdata"),
    "cffi": ("ctypes.dlopen", "ctypes.dlsym", "ctypes.cdata"),
    "gc": ("gc.get_objects", "gc.get_referrers", "gc.get_referents"),
}
_CODE_BUILTINS = ("eval", "exec", "compile", "breakpoint")


def exempt_events(keys):
    """The run-time events checked code may raise because the original uses the same construct."""
    events = set()
    for kind, value in keys:
        if kind == "call":
            if value.startswith(_PROCESS_CALLS):
                events.update(_PROCESS_EVENTS)
            events.update(_EVENTS_BY_CALL.get(value, ()))
            if value in ("eval", "exec", "compile"):
                events.update(("exec", "compile"))
        elif kind == "import":
            top = value.partition(".")[0]
            if value in _PROCESS_IMPORTS or top in _PROCESS_IMPORTS:
                events.update(_PROCESS_EVENTS)
            events.update(_EVENTS_BY_IMPORT.get(top, ()))
    return frozenset(events)


def _exit(code=None):
    raise SystemExit(code)


def install(config):
    """Installs the guard once per interpreter. `config` is the decoded TE_SANDBOX_GUARD value."""
    if _state:
        return
    workdir = config["workdir"]
    checked = [c for c in config.get("checked", "").split(",") if c]
    policy = Policy.from_args(config)
    exempt = decode_exempt(config.get("exempt", ""))
    policy.exempt = exempt
    names = set()
    for name in checked:
        names.add(os.path.join(workdir, name))
        names.add(name)
        names.add("./" + name)
    _state["workdir"] = workdir
    _state["workdir_slash"] = workdir.rstrip("/") + "/"
    _state["checked"] = frozenset(names)
    _state["modules"] = {c[:-3]: os.path.join(workdir, c) for c in checked if c.endswith(".py")}
    _state["globals"] = []
    _state["policy"] = policy
    _state["read_roots"] = _read_roots(workdir)
    _state["events"] = exempt_events(exempt)
    _state["read_paths"] = frozenset(v for k, v in exempt if k == "path")
    _state["builtins"] = _restricted_builtins(policy, exempt)
    # Without `site`, these are missing; programs call them.
    if not hasattr(builtins, "exit"):
        builtins.exit = builtins.quit = _exit
    sys.meta_path.insert(0, _CheckedFinder)
    sys.addaudithook(_hook)


def is_checked(filename):
    return filename in _state["checked"]


def checked_names():
    """The file names (as code objects carry them) of the checked files."""
    return _state["checked"]


def checked_globals():
    """The namespaces of the checked modules imported so far (the list grows as they load)."""
    return _state["globals"]


def restricted_builtins():
    return _state["builtins"]


def _read_roots(workdir):
    roots = {sys.prefix, sys.base_prefix, sys.exec_prefix, "/usr/share/zoneinfo"}
    for p in sys.path:
        if p and p.startswith("/") and p != workdir:
            roots.add(p)
    return tuple(sorted(r.rstrip("/") + "/" for r in roots if r and r != "/"))


def _restricted_builtins(policy, exempt=frozenset()):
    b = dict(builtins.__dict__)
    for name in _CODE_BUILTINS + ("help",):
        if ("call", name) not in exempt:
            b.pop(name, None)

    def __import__(name, globals=None, locals=None, fromlist=(), level=0):
        if level == 0:
            rule = policy.import_refused(name)
            if rule is None and fromlist:
                for item in fromlist:
                    if policy.import_refused(name + "." + item) == "blocked-import":
                        rule = "blocked-import"
                        name = name + "." + item
                        break
            if rule:
                raise ImportError("sandbox policy (%s): import of %s refused" % (rule, name), name=name)
        return _real_import(name, globals, locals, fromlist, level)

    b["__import__"] = __import__
    b["exit"] = b["quit"] = _exit
    return b


def _load_loader_base():
    external = sys.modules["_frozen_importlib_external"]
    return external.SourceFileLoader, external.spec_from_file_location


_SourceFileLoader, _spec_from_file_location = _load_loader_base()


class _CheckedLoader(_SourceFileLoader):
    """Executes a checked module with the restricted builtins."""

    def exec_module(self, module):
        code = self.get_code(module.__name__)
        module.__dict__["__builtins__"] = _state["builtins"]
        _state["globals"].append(module.__dict__)
        exec(code, module.__dict__)


class _CheckedFinder:
    @staticmethod
    def find_spec(fullname, path=None, target=None):
        filename = _state["modules"].get(fullname)
        if filename is None:
            return None
        return _spec_from_file_location(fullname, filename, loader=_CheckedLoader(fullname, filename))

    @staticmethod
    def invalidate_caches():
        pass


def _refuse(what):
    raise SandboxRefusal("sandbox: %s refused" % what)


def _checked_frame(frame):
    checked = _state["checked"]
    while frame is not None:
        if frame.f_code.co_filename in checked:
            return True
        frame = frame.f_back
    return False


def _importing_frame_checked(frame):
    """Whether the code that started this import (import machinery frames skipped) is checked."""
    while frame is not None:
        filename = frame.f_code.co_filename
        if not filename.startswith("<frozen importlib"):
            return filename in _state["checked"]
        frame = frame.f_back
    return False


def _absolute(path):
    if isinstance(path, int):
        return None
    try:
        path = os.fspath(path)
    except TypeError:
        return None
    if isinstance(path, bytes):
        path = os.fsdecode(path)
    if not path.startswith("/"):
        path = _getcwd() + "/" + path
    return _normpath(path)


_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
_DEVICES = frozenset(("/dev/null", "/dev/zero", "/dev/urandom", "/dev/random", "/dev/stdout", "/dev/stderr"))


def _inside(path, root_slash):
    return path.startswith(root_slash) or path + "/" == root_slash


def _on_open(args, frame):
    path = _absolute(args[0])
    if path is None:
        return
    if path.startswith("/proc/") and path.endswith("/environ"):
        _refuse("reading a process environment")
    mode = args[1]
    flags = args[2] if len(args) > 2 else 0
    writing = (mode is not None and any(c in mode for c in "wax+")) or bool(
        mode is None and isinstance(flags, int) and flags & _WRITE_FLAGS
    )
    workdir_slash = _state["workdir_slash"]
    if path in _DEVICES:
        return
    if not writing and not _inside(path, workdir_slash):
        for root in _state["read_roots"]:
            if path.startswith(root):
                return
    real = _realpath(path)
    if real.startswith("/proc/") and real.endswith("/environ"):
        _refuse("reading a process environment")
    if _inside(real, workdir_slash):
        return
    if writing:
        _refuse("writing outside the work dir (%s)" % path)
    if path in _state["read_paths"] or real in _state["read_paths"]:
        return
    if _checked_frame(frame):
        _refuse("reading outside the work dir (%s)" % path)


def _network_address_allowed(address):
    if isinstance(address, (str, bytes)):
        return True  # unix socket
    if isinstance(address, tuple) and address:
        return address[0] in ("127.0.0.1", "::1", "localhost")
    return False


def _on_connect(args, frame):
    if not _network_address_allowed(args[1]):
        _refuse("network access")


def _on_lookup(args, frame):
    host = args[0]
    if host not in (None, "localhost", "127.0.0.1", "::1", b"localhost"):
        _refuse("name lookup")


def _on_checked_only(event, what):
    def handler(args, frame):
        if event not in _state["events"] and _checked_frame(frame):
            _refuse(what)

    return handler


def _on_checked_caller(what):
    """For events that library code raises on its own behalf: refused only when checked code
    itself made the call."""

    def handler(args, frame):
        if frame is not None and frame.f_code.co_filename in _state["checked"]:
            _refuse(what)

    return handler


def _on_setattr(args, frame):
    if len(args) > 1 and args[1] == "__code__" and frame is not None:
        if frame.f_code.co_filename in _state["checked"]:
            _refuse("replacing a function's code")


def _on_import(args, frame):
    module = args[0]
    if module and _importing_frame_checked(frame):
        rule = _state["policy"].import_refused(module)
        if rule:
            _refuse("import of %s (%s)" % (module, rule))


def _on_code(args, frame):
    if "exec" in _state["events"]:
        return
    if frame is not None and frame.f_code.co_filename in _state["checked"]:
        _refuse("dynamic code")


_HANDLERS = {
    "open": _on_open,
    "socket.connect": _on_connect,
    "socket.sendto": _on_connect,
    "socket.bind": _on_connect,
    "socket.getaddrinfo": _on_lookup,
    "socket.gethostbyname": _on_lookup,
    "socket.gethostbyaddr": _on_lookup,
    "socket.getnameinfo": lambda args, frame: _refuse("name lookup"),
    "import": _on_import,
    "exec": _on_code,
    "compile": _on_code,
}
for _event, _what in (
    ("os.system", "starting a shell"),
    ("os.exec", "exec"),
    ("os.spawn", "spawn"),
    ("os.posix_spawn", "spawn"),
    ("os.fork", "fork"),
    ("os.forkpty", "fork"),
    ("os.kill", "sending a signal"),
    ("os.killpg", "sending a signal"),
    ("subprocess.Popen", "starting a process"),
    ("ctypes.dlopen", "ctypes"),
    ("ctypes.dlsym", "ctypes"),
    ("ctypes.cdata", "ctypes"),
    ("os.symlink", "creating a link"),
    ("os.link", "creating a link"),
    ("sys.settrace", "tracing"),
    ("sys.setprofile", "profiling"),
    ("sys.monitoring.register_callback", "tracing"),
    ("sys._current_frames", "reading other threads' frames"),
    ("gc.get_objects", "walking the object graph"),
    ("gc.get_referrers", "walking the object graph"),
    ("gc.get_referents", "walking the object graph"),
):
    _HANDLERS[_event] = _on_checked_only(_event, _what)
for _event, _what in (
    ("code.__new__", "making a code object"),
    ("function.__new__", "making a function"),
):
    _HANDLERS[_event] = _on_checked_caller(_what)
_HANDLERS["object.__setattr__"] = _on_setattr
_WATCHED = frozenset(_HANDLERS)


def _hook(event, args):
    if event not in _WATCHED:
        return
    try:
        frame = _getframe(1)
    except ValueError:
        frame = None  # raised from C with no Python frame under it (e.g. opening the main script)
    _HANDLERS[event](args, frame)
