import {
  type Content,
  MAX_INLINE_PIECE_BYTES,
  MAX_INLINE_ROUND_BYTES,
  type SiteItem,
  type SiteRun,
} from '../../../domain/sandbox-job.js';
import { type CandidateRecord, type SessionMeta, TERMINAL_STATUSES } from '../../../domain/types.js';
import type { PushChannel } from '../../../ports/push-channel.js';
import type { SessionStore } from '../../../ports/session-store.js';
import { type EventLog, publishSessionEvent } from '../../../use-cases/session-events.js';
import { decodeSiteBundle, encodeSiteBundle, type SiteFile, siteBytes } from '../site.js';
import type { CheckCompiler, SiteSource } from '../site-source.js';
import { compileHarness, executableChecks, type TaskHarness } from '../task-harness.js';
import { fromStoredTask, type StoredTask } from '../task-problem.js';

export interface PreparedTaskRound {
  sessionId: string;
  round: number;
  run?: SiteRun;
  items: SiteItem[];
}

export interface PrepareTaskRoundDeps {
  store: SessionStore;
  sites: SiteSource;
  checks: CheckCompiler;
  push: PushChannel;
  log: EventLog;
}

/** The compiled harness of a task round, kept with the session. */
export const HARNESS_ARTIFACT = 'checks.json';
const URL_EXPIRY_S = 3600;

/**
 * The task controller's use case: one attempt at a task round.
 *
 * 1. An attempt that already has candidates (a retried task) is returned as it stands.
 * 2. The first attempt makes the checks executable (rules, then one model call; the rest stay
 *    unverified) and stores that harness; it also stores the baseline: an empty site for a build,
 *    the site the previous round published for a revise. Later attempts reuse both.
 * 3. Candidate sites come from the site source, with the checks the best site so far failed as
 *    feedback; code has already written what must be exact (LICENSE, attachments, README layout).
 * 4. The items to check: the baseline (first attempt only) and each candidate, inline while they
 *    fit, else by presigned URL; the run carries the executable checks.
 */
export async function prepareTaskRound(
  deps: PrepareTaskRoundDeps,
  input: { sessionId: string; round: number },
): Promise<PreparedTaskRound> {
  const { sessionId, round } = input;
  const meta = await deps.store.getMeta(sessionId);
  if (!meta?.task) throw new Error(`task session ${sessionId} does not exist`);
  if (TERMINAL_STATUSES.includes(meta.status)) return { sessionId, round, items: [] };
  const request = fromStoredTask(await deps.store.getProblem<StoredTask>(sessionId));
  const progress = (message: string, extra: { provider?: string; attempt?: number } = {}) =>
    publishSessionEvent(deps, { type: 'progress', sessionId, stage: 'generating', round, message, ...extra });

  // Only a retried attempt reads its sites back; the usual path reads no site content at all.
  const existing = (await deps.store.listSummaries(sessionId)).filter((summary) => summary.round === round);
  if (existing.length > 0) {
    const harness = await storedHarness(deps.store, sessionId);
    const records = await Promise.all(
      existing.map((summary) => deps.store.getCandidate(sessionId, summary.index)),
    );
    return planItems(
      deps.store,
      sessionId,
      round,
      harness,
      records.flatMap((record) => (record ? [piece(record)] : [])),
    );
  }

  await deps.store.updateMeta(sessionId, { status: 'running', rounds: round });
  const notes = [...meta.notes];
  const calls = [...(meta.calls ?? [])];
  const records: CandidateRecord[] = [];
  let harness: TaskHarness;
  let baseline: SiteFile[];
  if (round === 1) {
    await progress('making the checks executable');
    const compiled = await compileHarness(request, deps.checks, async (event) => {
      await publishSessionEvent(deps, { type: 'progress', sessionId, round, ...event });
    });
    harness = compiled.harness;
    notes.push(...compiled.notes);
    calls.push(...compiled.calls);
    await deps.store.putArtifact(sessionId, HARNESS_ARTIFACT, JSON.stringify(harness));
    baseline = await publishedSite(deps.store, meta);
    records.push(
      siteRecord(
        0,
        round,
        meta.task.round > 1 ? 'published' : 'empty',
        'The site before this round',
        baseline,
      ),
    );
  } else {
    harness = await storedHarness(deps.store, sessionId);
    baseline = await publishedSite(deps.store, meta);
  }

  const failedChecks = (meta.task.checks ?? [])
    .filter((check) => check.status !== 'passed')
    .map((check) => check.text);
  const generated = await deps.sites.generate({
    request,
    ...(meta.task.round > 1 ? { current: baseline } : {}),
    ...(round > 1 && failedChecks.length > 0 ? { failedChecks } : {}),
    budgetSpentMs: calls.reduce((total, call) => total + call.latencyMs, 0),
    progress: async (event) => {
      await publishSessionEvent(deps, { type: 'progress', sessionId, round, ...event });
    },
  });
  notes.push(...generated.notes);
  calls.push(...generated.calls);
  let lastIndex = meta.lastIndex;
  for (const candidate of generated.candidates) {
    lastIndex += 1;
    records.push({
      ...siteRecord(lastIndex, round, candidate.source, candidate.title, candidate.files, baseline),
      ...(candidate.rationale === undefined ? {} : { rationale: candidate.rationale }),
    });
  }
  await deps.store.putCandidates(sessionId, records);
  await deps.store.updateMeta(sessionId, { lastIndex, notes: [...new Set(notes)], calls });
  const count = generated.candidates.length;
  await publishSessionEvent(deps, {
    type: 'progress',
    sessionId,
    stage: 'running',
    round,
    message: `checking ${count} candidate site${count === 1 ? '' : 's'}${round === 1 ? ' and the baseline' : ''} in a browser`,
  });
  return planItems(deps.store, sessionId, round, harness, records.map(piece));
}

/** A site as a candidate record: its bundle is the candidate's content; its change is the paths it touches. */
function siteRecord(
  index: number,
  round: number,
  source: string,
  title: string,
  files: SiteFile[],
  baseline: readonly SiteFile[] = [],
): CandidateRecord {
  const before = new Map(baseline.map((file) => [file.path, file.content]));
  const after = new Set(files.map((file) => file.path));
  const changes = [
    ...files.flatMap((file) => {
      const old = before.get(file.path);
      if (old === undefined) return [`A ${file.path}`];
      return old.equals(file.content) ? [] : [`M ${file.path}`];
    }),
    ...baseline.filter((file) => !after.has(file.path)).map((file) => `D ${file.path}`),
  ];
  return {
    index,
    round,
    source,
    title,
    code: encodeSiteBundle(files),
    diff: changes.join('\n'),
    changedLines: siteBytes(files),
  };
}

function piece(record: { index: number; source: string; code: string | null }) {
  if (record.code === null) throw new Error(`candidate site ${record.index} has expired`);
  return { index: record.index, source: record.source, bundle: record.code };
}

/** Each site inline while the round's inline budget lasts (smallest first), else by presigned URL. */
async function planItems(
  store: SessionStore,
  sessionId: string,
  round: number,
  harness: TaskHarness,
  pieces: Array<{ index: number; source: string; bundle: string }>,
): Promise<PreparedTaskRound> {
  const run: SiteRun = { kind: 'site', checks: executableChecks(harness) };
  let inlineLeft = MAX_INLINE_ROUND_BYTES - Buffer.byteLength(JSON.stringify(run));
  const bySize = [...pieces].sort((a, b) => a.bundle.length - b.bundle.length);
  const contents = new Map<number, Content>();
  for (const site of bySize) {
    const bytes = Buffer.byteLength(site.bundle, 'utf8');
    if (bytes <= MAX_INLINE_PIECE_BYTES && bytes <= inlineLeft) {
      inlineLeft -= bytes;
      contents.set(site.index, { text: site.bundle });
    } else {
      contents.set(site.index, {
        url: await store.presignCandidate(sessionId, site.index, 'code', URL_EXPIRY_S),
        bytes,
      });
    }
  }
  const items = pieces.map(
    (site): SiteItem => ({
      sessionId,
      round,
      index: site.index,
      role: site.index === 0 ? 'baseline' : 'candidate',
      source: site.source,
      // biome-ignore lint/style/noNonNullAssertion: every piece was planned above
      site: contents.get(site.index)!,
    }),
  );
  return { sessionId, round, run, items };
}

async function storedHarness(store: SessionStore, sessionId: string): Promise<TaskHarness> {
  const text = await store.getArtifact(sessionId, HARNESS_ARTIFACT);
  if (text === null) throw new Error(`task session ${sessionId} has no harness to run`);
  return JSON.parse(text) as TaskHarness;
}

/** A build starts from nothing; a revise from the site the previous round chose. */
async function publishedSite(store: SessionStore, meta: SessionMeta): Promise<SiteFile[]> {
  if (!meta.task || meta.task.round === 1) return [];
  const previous = await store.findTaskRound(meta.task.task, meta.task.round - 1);
  const previousMeta = previous ? await store.getMeta(previous) : undefined;
  if (!previous || !previousMeta?.winner)
    throw new Error(`task ${meta.task.task} has no earlier site to revise`);
  const winner = await store.getCandidate(previous, previousMeta.winner.index);
  if (!winner?.code)
    throw new Error(`task ${meta.task.task}: the site of round ${meta.task.round - 1} has expired`);
  return decodeSiteBundle(winner.code);
}
