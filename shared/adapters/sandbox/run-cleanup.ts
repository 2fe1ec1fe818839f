import { type ContainmentLevel, usesPrivateDisk } from './containment.js';
import { type Host, sweepsSharedUid } from './host-probe.js';
import {
  killProcessesMentioning,
  killProcessesOfUid,
  type OwnedSnapshot,
  SHARED_UID_SWEEP_DIRS,
  snapshotOwned,
  sweepFilesOfUid,
  sweepNewOwned,
} from './proc-scan.js';
import { removeTree } from './work-dir.js';

/** At the levels where the run shares the runner's uid: what that uid owns before the run starts. */
export async function snapshotBeforeRun(
  level: ContainmentLevel,
  host: Host,
): Promise<OwnedSnapshot | undefined> {
  if (!sweepsSharedUid(level, host)) return undefined;
  return snapshotOwned(host.uid, [...SHARED_UID_SWEEP_DIRS, host.workRoot]);
}

/**
 * When the supervisor did not get to clean up after itself (a backstop, the output cap, no
 * report): kill the group again and find what is left by uid (after the run) or by marker (now).
 */
export async function killLeftovers(killGroup: () => void, runUid: number | undefined, marker: string) {
  killGroup();
  if (runUid === undefined) await killProcessesMentioning(marker).catch(() => undefined);
}

export interface CleanupInput {
  level: ContainmentLevel;
  host: Host;
  runUid?: number;
  /** The supervisor finished and killed what the run started itself. */
  clean: boolean;
  workdir?: string;
  before?: OwnedSnapshot;
  /** When the run started (epoch ms): the sweep removes only what is newer. */
  started: number;
  /** Work dirs of the runs still in progress, never swept. */
  active: Set<string>;
}

/** After every run, whatever happened: no process of the run left, its work dir and files gone. */
export async function cleanUpRun(input: CleanupInput): Promise<void> {
  const { runUid, workdir, host } = input;
  // The supervisor kills by uid itself when it gets to finish; this covers when it did not.
  if (runUid !== undefined && !input.clean) await killProcessesOfUid(runUid).catch(() => undefined);
  // At `ns` the run could write nothing of the host's (every mount read-only but its own
  // tmpfs, gone with its namespace): the sweep by owner is for the `uid` level.
  const sweepByOwner = runUid !== undefined && !usesPrivateDisk(input.level);
  await Promise.all([
    sweepByOwner ? sweepFilesOfUid(runUid).catch(() => undefined) : undefined,
    workdir !== undefined ? removeTree(workdir) : undefined,
  ]);
  if (workdir !== undefined) input.active.delete(workdir);
  // The run shared this process's uid: what that uid made meanwhile in /tmp & co. goes too.
  if (input.before !== undefined)
    await sweepNewOwned(host.uid, input.before, input.started, input.active, removeTree).catch(
      () => undefined,
    );
}
