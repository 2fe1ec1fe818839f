import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createGitHubClient } from '../../shared/adapters/github/github-client.js';
import { GitHubPublisher } from '../../shared/adapters/github/github-publisher.js';
import { mitLicense } from '../../shared/kinds/task/license.js';
import { PublishError } from '../../shared/kinds/task/publish-errors.js';
import type { PublishRequest } from '../../shared/kinds/task/publisher.js';
import { repoNameCandidates } from '../../shared/kinds/task/repo-name.js';
import type { SiteFile } from '../../shared/kinds/task/site.js';
import { FakeGitHub } from '../support/fake-github/fake-github-server.js';

const TOKEN = 'test-token-for-the-fake';
const uid = Buffer.from(
  '10663028273269912239265106353310825311971074111116540717848055128052154081077',
  'utf8',
);
// Every byte value, so a text-only encoding anywhere on the way would show.
const attachment = Buffer.from(Array.from({ length: 512 }, (_, index) => (index * 37) % 256));

const site: SiteFile[] = [
  { path: 'LICENSE', content: Buffer.from(mitLicense(2025, 'LLMPages')) },
  { path: 'README.md', content: Buffer.from('# LLMPages\n\n## Summary\n\nA static site.\n') },
  {
    path: 'index.html',
    content: Buffer.from('<!doctype html><title>LLMPages</title><a href="uid.txt">uid</a>\n'),
  },
  { path: 'data/sample.bin', content: attachment },
  { path: 'uid.txt', content: uid },
];

const request = (overrides: Partial<PublishRequest> = {}): PublishRequest => ({
  task: 'LLMPages',
  round: 1,
  email: 'student@example.com',
  files: site,
  description: 'LLMPages: a static site published for an evaluator task',
  ...overrides,
});

describe('Class: GitHubPublisher (against a loopback GitHub)', () => {
  let github: FakeGitHub;

  beforeAll(async () => {
    github = await FakeGitHub.start({ login: 'student', token: TOKEN });
  });
  afterEach(() => {
    github.repos.clear();
    github.requests.length = 0;
  });
  afterAll(async () => {
    await github.close();
  });

  const publisher = (paceWrites = false) =>
    new GitHubPublisher(
      createGitHubClient({ token: TOKEN, baseUrl: github.url, retryBaseMs: 10, paceWrites }),
      {
        probeTimeoutMs: 2000,
      },
    );
  const calls = (method: string, path: RegExp) =>
    github.requests.filter((each) => each.method === method && path.test(each.path));

  describe('Method: publish, round 1', () => {
    it('creates one public repository with one commit holding every file byte for byte, and enables Pages', async () => {
      const published = await publisher().publish(request());

      expect(calls('POST', /^\/user\/repos$/)).toEqual([
        { method: 'POST', path: '/user/repos', status: 201 },
      ]);
      expect(github.repos.size).toBe(1);
      const repo = github.repo('LLMPages');
      expect(repo).toMatchObject({ private: false, pages: { branch: 'main', path: '/' } });
      expect(published).toEqual({
        owner: 'student',
        repo: 'LLMPages',
        repoUrl: 'https://github.com/student/LLMPages',
        commitSha: repo?.refs.get('main'),
        pagesUrl: `${github.url}/_pages/student/LLMPages/`,
      });

      // One commit, the history's only one: the repository's auto-init commit is not kept.
      const history = github.history('LLMPages');
      expect(history.map((commit) => commit.sha)).toEqual([published.commitSha]);
      expect(history[0]?.parents).toEqual([]);
      const files = github.filesAt(published.commitSha);
      expect([...files.keys()].sort()).toEqual(['.nojekyll', ...site.map((file) => file.path)].sort());
      for (const file of site) expect(files.get(file.path)?.equals(file.content), file.path).toBe(true);
      expect(files.get('LICENSE')?.toString()).toContain('Permission is hereby granted');
      expect(files.get('uid.txt')?.toString()).toBe(uid.toString());

      // Through the git data API in one tree and one commit, never a contents call per file.
      expect(calls('POST', /\/git\/blobs$/)).toHaveLength(site.length + 1);
      expect(calls('POST', /\/git\/trees$/)).toHaveLength(1);
      expect(calls('POST', /\/git\/commits$/)).toHaveLength(1);
      expect(github.requests.filter((each) => each.path.includes('/contents/'))).toEqual([]);
      expect(calls('POST', /\/pages$/)).toEqual([
        { method: 'POST', path: '/repos/student/LLMPages/pages', status: 201 },
      ]);
    });

    it('gives a taken name the deterministic suffix, and leaves the other repository alone', async () => {
      github.seedRepo('LLMPages');

      const published = await publisher().publish(request());

      const expected = repoNameCandidates('LLMPages', 'student@example.com')[1];
      expect(expected).toMatch(/^LLMPages-[0-9a-f]{6}$/);
      expect(published.repo).toBe(expected);
      expect(github.repo('LLMPages')?.refs.size).toBe(0);
      expect(calls('POST', /^\/user\/repos$/).map((each) => each.status)).toEqual([422, 201]);
    });

    it('sends a description of one line under 350 characters, whatever it is given', async () => {
      const brief = `Create and publish these files:\n\n- ashravan.txt: a story\r\n${'- more: '.repeat(120)}`;

      const published = await publisher().publish(request({ description: brief }));

      const description = github.repo(published.repo)?.description ?? '';
      expect(description.length).toBeGreaterThan(0);
      expect(description.length).toBeLessThan(350);
      expect(description).not.toMatch(/[\r\n]/);
    });

    it('retries a 502 from GitHub, with GitHub’s pacing of writes on', async () => {
      github.inject({ method: 'POST', path: /\/git\/trees$/, status: 502 });

      const published = await publisher(true).publish(request({ files: site.slice(0, 2) }));

      expect(calls('POST', /\/git\/trees$/).map((each) => each.status)).toEqual([502, 201]);
      expect([...github.filesAt(published.commitSha).keys()].sort()).toEqual([
        '.nojekyll',
        'LICENSE',
        'README.md',
      ]);
    });

    it('makes no second repository when the creation went through but its answer was a 502', async () => {
      github.inject({ method: 'POST', path: /^\/user\/repos$/, status: 502, afterEffect: true });

      const published = await publisher().publish(request());

      expect(calls('POST', /^\/user\/repos$/).map((each) => each.status)).toEqual([502, 422]);
      expect([...github.repos.keys()]).toEqual(['student/LLMPages']);
      expect(published.repo).toBe('LLMPages');
      expect(github.history('LLMPages')).toHaveLength(1);
    });
  });

  describe('Method: publish, round 2', () => {
    it('commits on top of round 1 in the same repository, removes deleted files and asks for a build', async () => {
      const first = await publisher().publish(request());
      github.finishBuilds();
      const revised: SiteFile[] = [
        ...site.filter((file) => file.path !== 'data/sample.bin' && file.path !== 'index.html'),
        {
          path: 'index.html',
          content: Buffer.from('<!doctype html><title>LLMPages</title><p>revised</p>\n'),
        },
      ];

      const second = await publisher().publish(
        request({ round: 2, files: revised, previous: { owner: first.owner, repo: first.repo } }),
      );

      expect(github.repos.size).toBe(1);
      expect(calls('POST', /^\/user\/repos$/)).toHaveLength(1);
      expect(second).toMatchObject({ owner: 'student', repo: 'LLMPages', pagesUrl: first.pagesUrl });
      expect(github.history('LLMPages').map((commit) => commit.sha)).toEqual([
        second.commitSha,
        first.commitSha,
      ]);
      expect(github.commits.get(second.commitSha)?.parents).toEqual([first.commitSha]);
      const files = github.filesAt(second.commitSha);
      expect(files.has('data/sample.bin')).toBe(false);
      expect(files.get('index.html')?.toString()).toContain('revised');
      expect(calls('POST', /\/pages$/).map((each) => each.status)).toEqual([201, 409]);
      expect(calls('POST', /\/pages\/builds$/)).toHaveLength(1);
    });

    it('refuses a revise that does not name its repository, and creates nothing', async () => {
      const refusal = await publisher()
        .publish(request({ round: 2 }))
        .catch((error: unknown) => error);

      expect(refusal).toBeInstanceOf(PublishError);
      expect(github.requests).toEqual([]);
    });
  });

  describe('Method: pagesStatus', () => {
    it('is building until the build of this commit is done, then built and live', async () => {
      const published = await publisher().publish(request());
      const query = { owner: published.owner, repo: published.repo, commitSha: published.commitSha };

      expect(await publisher().pagesStatus(query)).toMatchObject({ status: 'building', live: false });
      github.finishBuilds();
      expect(await publisher().pagesStatus(query)).toEqual({
        status: 'built',
        live: true,
        pagesUrl: published.pagesUrl,
      });
    });

    it('is building while the latest build is of an older commit, and errored when this one failed', async () => {
      const first = await publisher().publish(request());
      github.finishBuilds();
      const second = await publisher().publish(
        request({ round: 2, previous: { owner: first.owner, repo: first.repo }, files: site.slice(0, 3) }),
      );
      const repo = github.repo('LLMPages');
      // GitHub has not picked the push up yet: the newest build it reports is round 1's.
      repo?.builds.splice(1);

      const pending = await publisher().pagesStatus({ ...first, commitSha: second.commitSha });
      expect(pending).toMatchObject({ status: 'building', live: false });
      expect(pending.reason).toContain(first.commitSha.slice(0, 7));

      repo?.builds.push({ commit: second.commitSha, status: 'errored' });
      expect(await publisher().pagesStatus({ ...first, commitSha: second.commitSha })).toMatchObject({
        status: 'errored',
        live: false,
        reason: 'Page build failed.',
      });
    });
  });
});
