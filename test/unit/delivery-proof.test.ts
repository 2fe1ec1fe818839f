import { describe, expect, it } from 'vitest';
import { type ProofDeps, proveDelivery } from '../../infra/local/delivery-proof.js';
import type { Receipt, SentRound } from '../../infra/local/local-evaluator.js';
import { encodeSiteBundle } from '../../shared/kinds/task/site.js';
import type { TaskRoundView } from '../../shared/kinds/task/use-cases/get-task-round.js';

const SHA = '6aaa6040d0ca464bd50ef98d6ae07f3293adde9d';
const PAGES = 'http://127.0.0.1:3000/pages/local/sales-total/';
const SITE = 'http://127.0.0.1:3000/artifacts/site';
const REPO = '/data/pages/local/sales-total';
const INDEX = '<!doctype html><title>Sales Total</title>\n';
const sent: SentRound = { email: 'demo@example.com', task: 'sales-total', round: 1, nonce: 'n-1' };

const view = {
  commit_sha: SHA,
  repo_url: `file://${REPO}`,
  pages_url: PAGES,
  winner: { index: 1, files: null, siteUrl: SITE },
} as TaskRoundView;

const receipt = (body: Record<string, unknown> = {}): Receipt => ({
  at: '2026-01-01T00:00:00.000Z',
  contentType: 'application/json',
  status: 200,
  body: { ...sent, commit_sha: SHA, repo_url: `file://${REPO}`, pages_url: PAGES, ...body },
});

/** A repository whose HEAD is `head`, and pages that serve `served` (what `pagesStatus` says). */
function deps(head = SHA, served = INDEX, pagesStatus = 200): ProofDeps {
  const bundle = encodeSiteBundle([{ path: 'index.html', content: Buffer.from(INDEX) }]);
  return {
    headOf: async (path) => {
      if (path !== REPO) throw new Error(`fatal: cannot change to '${path}'`);
      return head;
    },
    fetch: async (input) => {
      if (String(input) === PAGES) return new Response(served, { status: pagesStatus });
      if (String(input) === SITE) return new Response(bundle);
      throw new TypeError('fetch failed');
    },
  };
}

const failed = (proofs: Array<{ ok: boolean; text: string }>) =>
  proofs.filter((proof) => !proof.ok).map((proof) => proof.text);

describe('Function: proveDelivery', () => {
  it('holds when the evaluator accepted one matching notification, HEAD is the commit and the pages serve the site', async () => {
    const proofs = await proveDelivery({ view, sent, accepted: [receipt()], repoPath: REPO }, deps());
    expect(proofs.map((proof) => proof.text)).toEqual([
      'the evaluator accepted exactly one notification (it accepted 1)',
      'it names the round sent (email, task, round, nonce)',
      "its commit_sha, repo_url and pages_url are the round's",
      `git -C ${REPO} rev-parse HEAD is ${SHA}`,
      `GET ${PAGES} answers 200 with the winner's index.html`,
    ]);
    expect(failed(proofs)).toEqual([]);
  });

  it('fails when the evaluator accepted nothing, or twice', async () => {
    const none = await proveDelivery({ view, sent, accepted: [], repoPath: REPO }, deps());
    expect(failed(none)).toEqual([
      'the evaluator accepted exactly one notification (it accepted 0)',
      'no notification to compare with the round',
    ]);
    const twice = await proveDelivery(
      { view, sent, accepted: [receipt(), receipt()], repoPath: REPO },
      deps(),
    );
    expect(failed(twice)).toEqual(['the evaluator accepted exactly one notification (it accepted 2)']);
  });

  it("fails when the notification names another nonce or commit than the round's", async () => {
    const proofs = await proveDelivery(
      { view, sent, accepted: [receipt({ nonce: 'n-2', commit_sha: 'f'.repeat(40) })], repoPath: REPO },
      deps(),
    );
    expect(failed(proofs)).toEqual([
      'it names the round sent (email, task, round, nonce): nonce differ',
      "its commit_sha, repo_url and pages_url are the round's: commit_sha differ",
    ]);
  });

  it("fails when the repository's HEAD is another commit, or git cannot read it", async () => {
    const moved = await proveDelivery(
      { view, sent, accepted: [receipt()], repoPath: REPO },
      deps('e'.repeat(40)),
    );
    expect(failed(moved)).toEqual([`git -C ${REPO} rev-parse HEAD is ${SHA}: HEAD is ${'e'.repeat(40)}`]);
    const gone = await proveDelivery({ view, sent, accepted: [receipt()], repoPath: '/elsewhere' }, deps());
    expect(failed(gone)[0]).toContain("git failed: fatal: cannot change to '/elsewhere'");
  });

  it('fails when the pages URL answers 404 or serves other bytes', async () => {
    const missing = await proveDelivery(
      { view, sent, accepted: [receipt()], repoPath: REPO },
      deps(SHA, 'not found\n', 404),
    );
    expect(failed(missing)).toEqual([
      `GET ${PAGES} answers 200 with the winner's index.html: it answered 404`,
    ]);
    const other = await proveDelivery(
      { view, sent, accepted: [receipt()], repoPath: REPO },
      deps(SHA, '<p>stale</p>'),
    );
    expect(failed(other)[0]).toContain("12 bytes that are not the winner's");
  });

  it('fails, saying so, when the round was never published', async () => {
    const unpublished = { ...view, commit_sha: null, repo_url: null, pages_url: null } as TaskRoundView;
    const proofs = await proveDelivery(
      { view: unpublished, sent, accepted: [], repoPath: undefined },
      deps(),
    );
    expect(failed(proofs)).toContain('the round names no published repository');
    expect(failed(proofs)).toContain('the round names no pages URL');
  });
});
