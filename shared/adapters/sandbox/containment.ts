/**
 * Containment levels, strongest first. Each names the layers it applies, for `/health` and the bench.
 *
 * - `ns`: root with working `unshare` — fresh net (no interfaces but a down loopback), pid and mount
 *   namespaces, /proc remounted, configured paths hidden, every mount read-only but one private
 *   size-limited tmpfs (work dir, /tmp, /var/tmp, /dev/shm), and the program dropped to a per-run uid.
 * - `userns`: not root, but unprivileged user namespaces work — the same namespaces, no uid of its own
 *   (and so no disk cap: the program is root of its own namespace and could remount a tmpfs larger).
 * - `uid`: root without namespaces (e.g. a container without CAP_SYS_ADMIN) — per-run uid, and every
 *   process of that uid is killed when the run ends.
 * - `process`: neither (AWS Lambda) — rlimits, a non-dumpable subreaper supervisor that kills the
 *   run's descendants, a scrubbed env; the network is the VPC's job there.
 */
export type ContainmentLevel = 'ns' | 'userns' | 'uid' | 'process';

export const LEVELS_STRONGEST_FIRST: readonly ContainmentLevel[] = ['ns', 'userns', 'uid', 'process'];

const COMMON_LAYERS = [
  'policy-ast',
  'runtime-guard',
  'rlimits',
  'scrubbed-env',
  'private-workdir',
  'no-new-privs',
  'output-sanitizer',
];

/** Where only the per-file size limit (an rlimit) bounds what a run writes, the layers say so. */
const PER_FILE_DISK_CAP = 'disk-cap-per-file-only';

export const LEVEL_LAYERS: Readonly<Record<ContainmentLevel, readonly string[]>> = {
  ns: [
    ...COMMON_LAYERS,
    'net-namespace',
    'pid-namespace',
    'mount-namespace',
    'hidden-paths',
    'read-only-mounts',
    'disk-cap-tmpfs',
    'per-run-uid',
    'tmp-sweep',
  ],
  userns: [
    ...COMMON_LAYERS,
    'user-namespace',
    'net-namespace',
    'pid-namespace',
    'mount-namespace',
    PER_FILE_DISK_CAP,
  ],
  uid: [...COMMON_LAYERS, 'per-run-uid', 'uid-kill', 'tmp-sweep', PER_FILE_DISK_CAP],
  process: [...COMMON_LAYERS, 'non-dumpable-supervisor', 'subreaper-kill', PER_FILE_DISK_CAP],
};

/** Whether the level can work for a process with this effective uid (the probe decides the rest). */
export function levelFits(level: ContainmentLevel, isRoot: boolean): boolean {
  switch (level) {
    case 'ns':
    case 'uid':
      return isRoot;
    case 'userns':
      return !isRoot;
    case 'process':
      return true;
  }
}

export function usesRunUid(level: ContainmentLevel): boolean {
  return level === 'ns' || level === 'uid';
}

/** Only at `ns` is the run root-less inside its own mount namespace, so a size-limited tmpfs holds. */
export function usesPrivateDisk(level: ContainmentLevel): boolean {
  return level === 'ns';
}

/**
 * Where runs may start as forks of the warm interpreter: the root levels, where the server can
 * give each fork what a fresh start has (its namespaces, its uid, its /proc entries). At `userns`
 * and `process` the server would share the runs' uid for its whole life, so runs start fresh there.
 */
export function usesWarmInterpreter(level: ContainmentLevel): boolean {
  return level === 'ns' || level === 'uid';
}

export function usesUnshare(level: ContainmentLevel): boolean {
  return level === 'ns' || level === 'userns';
}

const NAMESPACE_FLAGS = ['--net', '--pid', '--fork', '--kill-child', '--mount-proc'];

/** The command that starts the boot script at a level: `unshare … python -S boot …` or python alone. */
export function launchCommand(
  level: ContainmentLevel,
  tools: { unshare?: string; python: string },
  bootScript: string,
  bootArgs: readonly string[],
): { file: string; args: string[] } {
  const python = ['-S', bootScript, ...bootArgs];
  if (!usesUnshare(level)) return { file: tools.python, args: python };
  if (tools.unshare === undefined) throw new Error(`level ${level} needs unshare`);
  const userFlags = level === 'userns' ? ['--user', '--map-root-user'] : [];
  return { file: tools.unshare, args: [...userFlags, ...NAMESPACE_FLAGS, tools.python, ...python] };
}
