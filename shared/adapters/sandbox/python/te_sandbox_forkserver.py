"""The warm interpreter: one Python per runner, started once with the supervisor's modules
imported, that forks a job process for every run (see te_sandbox_job_process).

    cd <runtime dir> && python -S -c "import te_sandbox_forkserver as s; s.serve()"

(started from the runtime dir so that its command line names no path of the runner's).

It listens to nothing but the runner: Node's IPC channel (NODE_CHANNEL_FD), whose other end only
the runner's own process holds. A request is one JSON string of hex (so it is parsed without the
json module); each run's streams are fresh socketpairs, as a spawned run's are, whose runner ends
go back over the channel (SCM_RIGHTS, as Node passes handles) and are closed here at once. So no
output, input or report of any run passes through this process or stays in its memory for the
next fork to find, and a job holds none of the channel (its process closes every fd but its own
four before anything else runs).

Messages to the runner, one JSON value a line:
    {"cmd":"NODE_HANDLE","type":"net.Socket","msg":"fd:<id>:<stream>"}  with the fd attached
    "started:<id>:<pid>"   "exit:<id>:<status>"   "signal:<id>:<number>"   "failed:<id>:<why>"
"""

import os
import sys

import _signal  # noqa: F401  (what every run imports: loaded once, shared by every fork)
import _thread  # noqa: F401
import _ctypes  # noqa: F401
import errno  # noqa: F401
import resource  # noqa: F401

import te_sandbox_disk  # noqa: F401
import te_sandbox_guard  # noqa: F401
import te_sandbox_supervisor  # noqa: F401

# Everything above is what a fresh run imports on its own way to the program. What this server
# needs besides (this module among them) is unloaded again in every job (te_sandbox_job_process).
PRELOADED = frozenset(sys.modules) - {__name__}

import _socket  # noqa: E402
import gc  # noqa: E402
import select  # noqa: E402

import te_sandbox_job_process  # noqa: E402

CHANNEL_ENV = "NODE_CHANNEL_FD"
STREAMS_WITH_STDIN = ("stdin", "stdout", "stderr", "report")
STREAMS = ("stdout", "stderr", "report")


class Request:
    """One run, as the runner sends it: NUL-separated fields, hex in a JSON string."""

    def __init__(self, line):
        fields = bytes.fromhex(line.strip()[1:-1].decode("ascii")).split(b"\0")
        self.id = fields[0].decode("ascii")
        self.cwd = os.fsdecode(fields[1])
        self.stdin = fields[2] == b"1"
        self.python = os.fsdecode(fields[3])
        self.boot = os.fsdecode(fields[4])
        count = int(fields[5])
        self.args = [os.fsdecode(a) for a in fields[6 : 6 + count]]
        self.env = {}
        for item in fields[6 + count :]:
            key, _, value = os.fsdecode(item).partition("=")
            if key:
                self.env[key] = value


def send(channel, text):
    channel.sendall(('"%s"\n' % text).encode("ascii", "replace"))


def send_fd(channel, text, fd):
    line = ('{"cmd":"NODE_HANDLE","type":"net.Socket","msg":"%s"}\n' % text).encode("ascii")
    channel.sendmsg([line], [(_socket.SOL_SOCKET, _socket.SCM_RIGHTS, fd.to_bytes(4, sys.byteorder))])


def start(channel, request, jobs, poller, context):
    names = STREAMS_WITH_STDIN if request.stdin else STREAMS
    pairs = []
    try:
        for name in names:
            mine, theirs = _socket.socketpair(_socket.AF_UNIX, _socket.SOCK_STREAM)
            pairs.append((name, mine.detach(), theirs.detach()))
        pid = os.fork()
    except OSError as error:
        for _, mine, theirs in pairs:
            os.close(mine)
            os.close(theirs)
        send(channel, "failed:%s:%s" % (request.id, str(error).replace('"', "'").replace("\\", "/")))
        return
    if pid == 0:
        # Never returns: ends by os._exit, or by the run's SystemExit rising to the top.
        te_sandbox_job_process.become(request, {n: t for n, _, t in pairs}, channel, context)
    for name, mine, theirs in pairs:
        os.close(theirs)
        send_fd(channel, "fd:%s:%s" % (request.id, name), mine)
        os.close(mine)
    pidfd = os.pidfd_open(pid)
    jobs[pidfd] = (request.id, pid)
    poller.register(pidfd, select.POLLIN)
    send(channel, "started:%s:%d" % (request.id, pid))


def finish(channel, pidfd, jobs, poller):
    job_id, pid = jobs.pop(pidfd)
    poller.unregister(pidfd)
    os.close(pidfd)
    _, status = os.waitpid(pid, 0)
    code = os.waitstatus_to_exitcode(status)
    if code < 0:
        send(channel, "signal:%s:%d" % (job_id, -code))
    else:
        send(channel, "exit:%s:%d" % (job_id, code))


def serve():
    channel = _socket.socket(fileno=int(os.environ[CHANNEL_ENV]))
    # A job's four fds are dup'ed onto 0..3; these must already be taken (by the runner's stdio
    # and the channel) so that no socketpair lands there and is overwritten.
    for fd in range(4):
        os.fstat(fd)
    context = te_sandbox_job_process.Context(
        server_pid=os.getpid(),
        stdlib=[p for p in sys.path if p],
        plumbing=frozenset(sys.modules) - PRELOADED,
    )
    os.chdir("/")
    # Everything imported so far lives as long as the server: out of the collector's reach, a
    # job's collections never write to those objects' headers, so its fork copies far fewer pages.
    gc.collect()
    gc.freeze()
    poller = select.poll()
    poller.register(channel.fileno(), select.POLLIN)
    jobs = {}
    pending = b""
    send(channel, "ready:%d" % os.getpid())
    while True:
        for fd, _ in poller.poll():
            if fd in jobs:
                finish(channel, fd, jobs, poller)
                continue
            data = channel.recv(1 << 16)
            if not data:
                os._exit(0)  # the runner is gone; its runs die with this process (PDEATHSIG)
            pending += data
            *lines, pending = pending.split(b"\n")
            for line in lines:
                # Node's own acknowledgements are objects; a request is a string.
                if line.startswith(b'"'):
                    start(channel, Request(line), jobs, poller, context)
