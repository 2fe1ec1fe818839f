import type { PagesStatus } from '../../kinds/task/publisher.js';
import { probePagesUrl } from '../pages-probe.js';
import type { CommitTarget } from './git-commit.js';
import type { GitHubClient } from './github-client.js';
import { statusOf } from './request-status.js';

/**
 * Serves the branch's root as Pages and answers the site's URL. Enabling starts a build by itself;
 * when Pages was already enabled (409), a build of the branch's head is requested instead.
 */
export async function deployPages(client: GitHubClient, target: CommitTarget): Promise<string> {
  const { owner, repo, branch } = target;
  try {
    const { data } = await client.rest.repos.createPagesSite({
      owner,
      repo,
      build_type: 'legacy',
      source: { branch, path: '/' },
    });
    return siteUrl(data.html_url, owner, repo);
  } catch (error) {
    if (statusOf(error) !== 409) throw error;
  }
  await client.rest.repos.requestPagesBuild({ owner, repo });
  return pagesUrl(client, owner, repo);
}

export async function pagesUrl(client: GitHubClient, owner: string, repo: string): Promise<string> {
  const { data } = await client.rest.repos.getPages({ owner, repo });
  return siteUrl(data.html_url, owner, repo);
}

/**
 * Where the build of `commitSha` stands: the latest build must be of this commit (an older one is
 * still `building` as far as this round goes), and once built the site must answer 200.
 */
export async function readPagesStatus(
  client: GitHubClient,
  query: { owner: string; repo: string; commitSha: string },
  probeTimeoutMs: number,
): Promise<PagesStatus> {
  const { owner, repo, commitSha } = query;
  let url: string;
  try {
    url = await pagesUrl(client, owner, repo);
  } catch (error) {
    if (statusOf(error) !== 404) throw error;
    return {
      status: 'errored',
      live: false,
      pagesUrl: '',
      reason: `Pages is not enabled on ${owner}/${repo}`,
    };
  }
  let build: { status: string | null; commit: string; error?: { message: string | null } };
  try {
    ({ data: build } = await client.rest.repos.getLatestPagesBuild({ owner, repo }));
  } catch (error) {
    if (statusOf(error) !== 404) throw error;
    return { status: 'building', live: false, pagesUrl: url, reason: 'no Pages build has started yet' };
  }
  if (build.commit !== commitSha) {
    return {
      status: 'building',
      live: false,
      pagesUrl: url,
      reason: `the latest build is of ${build.commit.slice(0, 7)}`,
    };
  }
  if (build.status === 'errored') {
    return {
      status: 'errored',
      live: false,
      pagesUrl: url,
      reason: build.error?.message ?? 'the Pages build failed',
    };
  }
  if (build.status !== 'built') {
    return {
      status: 'building',
      live: false,
      pagesUrl: url,
      reason: `the build is ${build.status ?? 'not started'}`,
    };
  }
  const probe = await probePagesUrl(url, probeTimeoutMs);
  return {
    status: 'built',
    live: probe.ok,
    pagesUrl: url,
    ...(probe.reason ? { reason: probe.reason } : {}),
  };
}

/** GitHub's own `html_url`, else the URL it gives a project site. Always with a trailing slash. */
function siteUrl(htmlUrl: string | undefined, owner: string, repo: string): string {
  const url = htmlUrl ?? `https://${owner.toLowerCase()}.github.io/${repo}/`;
  return url.endsWith('/') ? url : `${url}/`;
}
