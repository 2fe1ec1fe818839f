import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { decodeSiteBundle } from '../../shared/kinds/task/site.js';
import type { TaskRoundView } from '../../shared/kinds/task/use-cases/get-task-round.js';
import type { Receipt, SentRound } from './local-evaluator.js';

/** One thing the demo checks for itself after the round, and whether it held. */
export interface Proof {
  ok: boolean;
  text: string;
}

export interface ProofDeps {
  /** The commit a repository's HEAD names. */
  headOf(repoPath: string): Promise<string>;
  fetch: typeof fetch;
}

const run = promisify(execFile);

/** Real git and real HTTP: the proof must not take the engine's word for anything. */
export const realProofDeps: ProofDeps = {
  headOf: async (repoPath) => (await run('git', ['-C', repoPath, 'rev-parse', 'HEAD'])).stdout.trim(),
  fetch: (input, init) => fetch(input, init),
};

/** The local publisher's repository of the round on disk, once it was published. */
export function repoPathOf(view: TaskRoundView, pagesDir: string): string | undefined {
  const publication = view.delivery?.publication;
  return publication ? join(pagesDir, publication.owner, publication.repo) : undefined;
}

/**
 * Checks the delivery from the outside, each on its own evidence: the evaluator accepted exactly
 * one notification and it names the round sent and the round's commit, repo and pages URL; the
 * repository's HEAD is that commit; the pages URL serves the winner's index.html byte for byte.
 */
export async function proveDelivery(
  input: { view: TaskRoundView; sent: SentRound; accepted: readonly Receipt[]; repoPath: string | undefined },
  deps: ProofDeps = realProofDeps,
): Promise<Proof[]> {
  const { view, sent, accepted, repoPath } = input;
  const proofs: Proof[] = [
    {
      ok: accepted.length === 1,
      text: `the evaluator accepted exactly one notification (it accepted ${accepted.length})`,
    },
  ];
  const first = accepted[0];
  if (!first) {
    proofs.push({ ok: false, text: 'no notification to compare with the round' });
  } else {
    const body = (first.body ?? {}) as Record<string, unknown>;
    const published = { commit_sha: view.commit_sha, repo_url: view.repo_url, pages_url: view.pages_url };
    proofs.push(
      sameFields('it names the round sent (email, task, round, nonce)', body, { ...sent }),
      sameFields("its commit_sha, repo_url and pages_url are the round's", body, published),
    );
  }
  proofs.push(await headProof(view.commit_sha, repoPath, deps));
  proofs.push(await pagesProof(view, deps));
  return proofs;
}

/** Whether `body` holds each expected value (a null expected never matches: the round lacks it). */
function sameFields(text: string, body: Record<string, unknown>, expected: Record<string, unknown>): Proof {
  const differ = Object.entries(expected)
    .filter(([field, value]) => value === null || body[field] !== value)
    .map(([field]) => field);
  return differ.length === 0
    ? { ok: true, text }
    : { ok: false, text: `${text}: ${differ.join(', ')} differ` };
}

async function headProof(
  commitSha: string | null,
  repoPath: string | undefined,
  deps: ProofDeps,
): Promise<Proof> {
  if (!repoPath || !commitSha) return { ok: false, text: 'the round names no published repository' };
  const text = `git -C ${repoPath} rev-parse HEAD is ${commitSha}`;
  let head: string;
  try {
    head = await deps.headOf(repoPath);
  } catch (error) {
    // A repository git cannot read is a proof that fails, said in git's own words.
    return { ok: false, text: `${text}: git failed: ${messageOf(error)}` };
  }
  return { ok: head === commitSha, text: head === commitSha ? text : `${text}: HEAD is ${head}` };
}

async function pagesProof(view: TaskRoundView, deps: ProofDeps): Promise<Proof> {
  if (!view.pages_url) return { ok: false, text: 'the round names no pages URL' };
  const text = `GET ${view.pages_url} answers 200 with the winner's index.html`;
  if (!view.winner?.siteUrl) return { ok: false, text: `${text}: the round has no winning site to compare` };
  let page: Response;
  let served: Buffer;
  let bundle: string;
  try {
    page = await deps.fetch(view.pages_url);
    served = Buffer.from(await page.arrayBuffer());
    bundle = await (await deps.fetch(view.winner.siteUrl)).text();
  } catch (error) {
    // An unreachable URL is a proof that fails, said in the network's own words.
    return { ok: false, text: `${text}: ${messageOf(error)}` };
  }
  if (page.status !== 200) return { ok: false, text: `${text}: it answered ${page.status}` };
  const index = decodeSiteBundle(bundle).find((file) => file.path === 'index.html');
  if (!index) return { ok: false, text: `${text}: the winner has no index.html` };
  return index.content.equals(served)
    ? { ok: true, text }
    : { ok: false, text: `${text}: it served ${served.length} bytes that are not the winner's` };
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message.trim() : String(error));
