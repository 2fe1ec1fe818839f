/*
 * Preloaded into the sandbox function's Node runtime (LD_PRELOAD): makes the process non-dumpable
 * before any of its own code runs. The kernel then gives its /proc entries (environ, mem, fd, maps)
 * to root, so a program running under the same uid (the `process` containment level) cannot read
 * the runtime's environment, memory or descriptors. Node has no way to call prctl itself, and the
 * dumpable flag is reset by every execve of a readable binary, so it must happen inside the
 * runtime's own process, after its exec.
 */
#include <sys/prctl.h>

__attribute__((constructor)) static void te_non_dumpable(void) {
  prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}
