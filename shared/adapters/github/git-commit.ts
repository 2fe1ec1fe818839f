import pLimit from 'p-limit';
import type { SiteFile } from '../../kinds/task/site.js';
import type { GitHubClient } from './github-client.js';
import { statusOf } from './request-status.js';

export interface CommitTarget {
  owner: string;
  repo: string;
  branch: string;
}

/** Blobs are sent a few at a time; the throttling plugin still spaces writes as GitHub asks. */
const BLOB_CONCURRENCY = 4;

/**
 * Commits `files` as the branch's whole tree in one commit through the git data API: a blob per
 * file (base64, so bytes arrive exactly), one tree without a base (a path left out is deleted),
 * one commit, one ref update. With `parent` the ref moves forward only (a push made meanwhile
 * fails the update rather than being overwritten); without, the commit is a root and the ref is
 * forced to it, so a new repository's history is this commit alone (not its auto-init commit).
 */
export async function commitFiles(
  client: GitHubClient,
  target: CommitTarget,
  files: readonly SiteFile[],
  message: string,
  parent: string | undefined,
): Promise<string> {
  const { owner, repo, branch } = target;
  const limit = pLimit(BLOB_CONCURRENCY);
  const blobs = await Promise.all(
    files.map((file) =>
      limit(async () => {
        const { data } = await client.rest.git.createBlob({
          owner,
          repo,
          content: file.content.toString('base64'),
          encoding: 'base64',
        });
        return { path: file.path, mode: '100644' as const, type: 'blob' as const, sha: data.sha };
      }),
    ),
  );
  const { data: tree } = await client.rest.git.createTree({ owner, repo, tree: blobs });
  const { data: commit } = await client.rest.git.createCommit({
    owner,
    repo,
    message,
    tree: tree.sha,
    parents: parent ? [parent] : [],
  });
  if (parent) {
    await client.rest.git.updateRef({ owner, repo, ref: `heads/${branch}`, sha: commit.sha, force: false });
    return commit.sha;
  }
  try {
    await client.rest.git.updateRef({ owner, repo, ref: `heads/${branch}`, sha: commit.sha, force: true });
  } catch (error) {
    // 422: the branch does not exist yet (a repository whose first commit is still being made).
    if (statusOf(error) !== 422) throw error;
    await client.rest.git.createRef({ owner, repo, ref: `refs/heads/${branch}`, sha: commit.sha });
  }
  return commit.sha;
}

/** The commit a branch points at. */
export async function branchHead(client: GitHubClient, target: CommitTarget): Promise<string> {
  const { data } = await client.rest.git.getRef({
    owner: target.owner,
    repo: target.repo,
    ref: `heads/${target.branch}`,
  });
  return data.object.sha;
}
