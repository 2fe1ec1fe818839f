"""The `ns` level's disk: one private, size-limited tmpfs for everything a run can write.

Called by the supervisor as root inside the run's fresh mount namespace (private propagation, so
the host sees none of it), before the program exists:

1. Handles on what must stay reachable: the on-disk work dir (the runner wrote the job's files
   there) and every needed dir (the boot scripts, the interpreter's paths) that lies under a dir
   about to be covered.
2. Every mount in the namespace becomes read-only, the host's disks included (one recursive
   mount_setattr; a read-only remount of each mount on kernels before 5.12): from here on the run
   can write to nothing but the tmpfs.
3. One tmpfs of `size_mb` mounted at the work dir, holding a dir for the work dir and one each
   for /tmp, /var/tmp and /dev/shm, so that all of them share one budget; the job's files are
   copied in with their owner and mode.
4. The covered dirs are bound over from the tmpfs, the needed dirs bound back read-only at their
   own paths, and the work dir bound last.

A program that fills the disk gets ENOSPC. Nothing outlives the run: the namespace, and the tmpfs
with it, goes when its last process does.
"""

import errno
import os

MS_RDONLY = 1
MS_NOSUID = 2
MS_NODEV = 4
MS_NOEXEC = 8
MS_REMOUNT = 32
MS_NOATIME = 1024
MS_NODIRATIME = 2048
MS_BIND = 4096
MS_REC = 16384
MS_RELATIME = 1 << 21
ST_RDONLY = 1
AT_FDCWD = -100
AT_RECURSIVE = 0x8000
MOUNT_ATTR_RDONLY = 1
# mount_setattr's number where it is known to be 442 (the unified syscall table); elsewhere the
# per-mount remount is used.
SYS_MOUNT_SETATTR = 442
UNIFIED_TABLE_MACHINES = frozenset(("x86_64", "aarch64", "arm64", "riscv64", "s390x", "ppc64le"))

# Per-mount options as /proc/self/mountinfo spells them; a read-only remount must repeat them.
_KEPT_OPTIONS = {
    b"nosuid": MS_NOSUID,
    b"nodev": MS_NODEV,
    b"noexec": MS_NOEXEC,
    b"noatime": MS_NOATIME,
    b"nodiratime": MS_NODIRATIME,
    b"relatime": MS_RELATIME,
}

# Where a program may otherwise write, and the tmpfs dir that takes each one's place.
COVERED = (("/tmp", "tmp"), ("/var/tmp", "var-tmp"), ("/dev/shm", "dev-shm"))
WORK = "work"
# Inodes per MiB of budget: a program cannot exhaust kernel memory with empty files either.
INODES_PER_MB = 256


class Calls:
    """The libc calls this needs, as the supervisor loads them: `mount(source, target, fstype,
    flags, data)` and `syscall(number, dirfd, path, flags, buffer, size)` take bytes or None and
    return -1 with errno set; `syscall` may be None (then mounts are remounted one by one)."""

    def __init__(self, mount, syscall, get_errno):
        self._mount = mount
        self._syscall = syscall
        self._get_errno = get_errno

    def mount(self, source, target, fstype, flags, data=None):
        if self._mount(_b(source), _b(target), _b(fstype), flags, _b(data)) != 0:
            raise self._error("mount %s on %s" % (source or fstype, target))

    def read_only_tree(self, path):
        """Makes every mount at and under `path` read-only in one call; False without the syscall."""
        if self._syscall is None or os.uname().machine not in UNIFIED_TABLE_MACHINES:
            return False
        attr = MOUNT_ATTR_RDONLY.to_bytes(8, "little") + bytes(24)  # struct mount_attr, version 0
        if self._syscall(SYS_MOUNT_SETATTR, AT_FDCWD, _b(path), AT_RECURSIVE, attr, len(attr)) == 0:
            return True
        if self._get_errno() == errno.ENOSYS:
            return False
        raise self._error("mount_setattr on %s" % path)

    def _error(self, what):
        errno = self._get_errno()
        return OSError(errno, "%s: %s" % (what, os.strerror(errno)))


def setup(calls, workdir, size_mb, uid, gid, needed):
    """`needed` are paths the run must still read (only dirs under a covered dir need anything)."""
    previous = os.umask(0o022)
    try:
        _setup(calls, workdir, size_mb, uid, gid, needed)
    finally:
        os.umask(previous)


def _b(value):
    return os.fsencode(value) if isinstance(value, str) else value


def _setup(calls, workdir, size_mb, uid, gid, needed):
    mount = calls.mount
    covered = [(path, name) for path, name in COVERED if os.path.isdir(path)]
    roots = [path for path, _ in covered]
    job_files = os.open(workdir, os.O_RDONLY | os.O_DIRECTORY)
    kept = []
    try:
        for path in _needed_dirs(needed, roots, workdir):
            kept.append((path, os.open(path, os.O_PATH | os.O_DIRECTORY)))
        read_only_everything(calls)
        data = "size=%dm,nr_inodes=%d,mode=0711" % (size_mb, size_mb * INODES_PER_MB)
        mount("tmpfs", workdir, "tmpfs", MS_NOSUID | MS_NODEV, data)
        # The tmpfs root stays reachable through the cwd once its own path is covered.
        os.chdir(workdir)
        os.mkdir(WORK, 0o700)
        os.chown(WORK, uid, gid)
        for _, name in covered:
            os.mkdir(name)
            os.chmod(name, 0o1777)
        try:
            _copy_files(job_files, WORK)
        except OSError as error:
            if error.errno != errno.ENOSPC:
                raise
            raise OSError(errno.ENOSPC, "the job's files do not fit in the %d MiB disk cap" % size_mb) from None
        for path, name in covered:
            mount(name, path, None, MS_BIND)
        for path, fd in kept:
            _make_dirs(path)
            mount("/proc/self/fd/%d" % fd, path, None, MS_BIND | MS_REC)
            mount(None, path, None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV)
        _make_dirs(workdir)
        mount(WORK, workdir, None, MS_BIND)
        os.chdir("/")
    finally:
        os.close(job_files)
        for _, fd in kept:
            os.close(fd)


def _under(path, root):
    return path == root or path.startswith(root.rstrip("/") + "/")


def _needed_dirs(needed, roots, workdir):
    """Needed dirs strictly under a covered root, outermost only (binding one brings what is inside).
    A covered root itself is never bound back: that would undo the cover."""
    found = []
    for path in sorted({os.path.normpath(p) for p in needed if p and p.startswith("/")}):
        if _under(path, workdir) or path in roots or not os.path.isdir(path):
            continue
        if not any(_under(path, r) for r in roots):
            continue
        if any(_under(path, f) for f in found):
            continue
        found.append(path)
    return found


def _make_dirs(path):
    """Creates the missing dirs of `path` (inside a tmpfs) as mount points: traversable, not listable."""
    current = ""
    for part in path.strip("/").split("/"):
        current += "/" + part
        if not os.path.isdir(current):
            os.mkdir(current, 0o711)


def _copy_files(source_dir, target):
    for name in os.listdir(source_dir):
        st = os.stat(name, dir_fd=source_dir, follow_symlinks=False)
        if st.st_mode & 0o170000 != 0o100000:
            continue  # the runner writes plain files only
        src = os.open(name, os.O_RDONLY | os.O_NOFOLLOW, dir_fd=source_dir)
        try:
            dst = os.open(target + "/" + name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, st.st_mode & 0o7777)
            try:
                while True:
                    chunk = os.read(src, 1 << 20)
                    if not chunk:
                        break
                    while chunk:
                        chunk = chunk[os.write(dst, chunk) :]
                os.fchown(dst, st.st_uid, st.st_gid)
            finally:
                os.close(dst)
        finally:
            os.close(src)


def read_only_everything(calls):
    if not calls.read_only_tree("/"):
        read_only_by_remount(calls.mount)


def read_only_by_remount(mount):
    """The same, one mount at a time, for kernels without mount_setattr."""
    with open("/proc/self/mountinfo", "rb") as f:
        lines = f.read().splitlines()
    for line in lines:
        fields = line.split(b" ")
        if len(fields) < 6:
            continue
        target = _unescape(fields[4])
        options = fields[5].split(b",")
        if b"ro" in options:
            continue
        flags = MS_REMOUNT | MS_BIND | MS_RDONLY
        for option in options:
            flags |= _KEPT_OPTIONS.get(option, 0)
        try:
            mount(None, target, None, flags)
        except OSError:
            # A mount point hidden under a later mount resolves to that one, which has its own
            # line; what matters is that every path that can still be reached is read-only.
            if os.path.exists(target) and not os.statvfs(target).f_flag & ST_RDONLY:
                raise


def _unescape(raw):
    """mountinfo writes space, tab, newline and backslash as three-digit octal escapes."""
    out = bytearray()
    i = 0
    while i < len(raw):
        if raw[i] == 0x5C and i + 4 <= len(raw) and raw[i + 1 : i + 4].isdigit():
            out.append(int(raw[i + 1 : i + 4], 8))
            i += 4
        else:
            out.append(raw[i])
            i += 1
    return os.fsdecode(bytes(out))
