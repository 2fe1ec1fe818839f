import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalGitPublisher } from '../../shared/adapters/pages-local/local-git-publisher.js';
import { createLocalPagesHandler } from '../../shared/adapters/pages-local/pages-handler.js';
import { mitLicense } from '../../shared/kinds/task/license.js';
import { PublishError } from '../../shared/kinds/task/publish-errors.js';
import type { Publication, PublishRequest } from '../../shared/kinds/task/publisher.js';
import { repoNameCandidates } from '../../shared/kinds/task/repo-name.js';
import type { SiteFile } from '../../shared/kinds/task/site.js';

const uid = Buffer.from('1066302827326991223926510635331082531197107411111654071784805512805215408107756');
const sample = Buffer.from(Array.from({ length: 300 }, (_, index) => (index * 53) % 256));
const round1: SiteFile[] = [
  { path: 'LICENSE', content: Buffer.from(mitLicense(2025, 'LLMPages')) },
  { path: 'README.md', content: Buffer.from('# LLMPages\n') },
  { path: 'index.html', content: Buffer.from('<!doctype html><title>Round 1</title>\n') },
  { path: 'uid.txt', content: uid },
  { path: 'data/sample.bin', content: sample },
  { path: 'docs/index.html', content: Buffer.from('<p>docs</p>') },
];
const round2: SiteFile[] = [
  ...round1.filter((file) => file.path !== 'data/sample.bin' && file.path !== 'index.html'),
  { path: 'index.html', content: Buffer.from('<!doctype html><title>Round 2</title>\n') },
];

const request = (overrides: Partial<PublishRequest> = {}): PublishRequest => ({
  task: 'LLMPages',
  round: 1,
  email: 'student@example.com',
  files: round1,
  description: 'LLMPages: a static site',
  ...overrides,
});

/** git itself, to read what the publisher made without going through it. */
const gitIn = (dir: string, ...args: string[]) =>
  execFileSync('git', ['-C', dir, ...args], {
    env: { PATH: process.env.PATH, GIT_CONFIG_GLOBAL: '/dev/null' },
  });

/** A raw GET: fetch would normalise `..` away before it is sent. */
function get(
  url: string,
  path: string,
): Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }> {
  const { port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, method: 'GET' }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

describe('Class: LocalGitPublisher, with the local pages handler', () => {
  let base: string;
  let root: string;
  let server: Server;
  let url: string;
  let publisher: LocalGitPublisher;
  let first: Publication;
  let second: Publication;

  beforeAll(async () => {
    // The data folder sits inside another git repository, as `.truth-engine/` sits in a checkout:
    // nothing of that outer repository may ever be served.
    base = mkdtempSync(join(tmpdir(), 'te-local-pages-'));
    gitIn(base, 'init', '--quiet');
    writeFileSync(join(base, 'index.html'), '<p>outer repository</p>');
    gitIn(base, 'add', 'index.html');
    gitIn(base, '-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '--quiet', '-m', 'outer');
    root = join(base, 'pages');
    const handler = createLocalPagesHandler({ rootDir: root });
    server = createServer((req, res) => {
      if (!handler(req, res)) {
        res.writeHead(418);
        res.end('not a pages request');
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    publisher = new LocalGitPublisher({ rootDir: root, pagesBaseUrl: `${url}/pages`, probeTimeoutMs: 2000 });
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(base, { recursive: true, force: true });
  });

  it('round 1: a new repository whose one commit holds exactly the site, served from that commit', async () => {
    first = await publisher.publish(request());

    const dir = join(root, 'local', 'LLMPages');
    expect(first).toEqual({
      owner: 'local',
      repo: 'LLMPages',
      repoUrl: `file://${dir}`,
      commitSha: gitIn(dir, 'rev-parse', 'HEAD').toString().trim(),
      pagesUrl: `${url}/pages/local/LLMPages/`,
    });
    expect(gitIn(dir, 'rev-list', '--count', 'HEAD').toString().trim()).toBe('1');
    const tree = gitIn(dir, 'ls-tree', '-r', '--name-only', 'HEAD').toString().trim().split('\n');
    expect(tree.sort()).toEqual(['.nojekyll', ...round1.map((file) => file.path)].sort());
    expect(gitIn(dir, 'cat-file', 'blob', 'HEAD:uid.txt').equals(uid)).toBe(true);
    expect(gitIn(dir, 'cat-file', 'blob', 'HEAD:data/sample.bin').equals(sample)).toBe(true);

    const index = await get(url, '/pages/local/LLMPages/');
    expect(index.status).toBe(200);
    expect(index.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(index.body.toString()).toContain('Round 1');
    const served = await get(url, '/pages/local/LLMPages/uid.txt');
    expect(served.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(served.body.equals(uid)).toBe(true);
    expect((await get(url, '/pages/local/LLMPages/data/sample.bin')).body.equals(sample)).toBe(true);
    expect((await get(url, '/pages/local/LLMPages/docs/')).body.toString()).toBe('<p>docs</p>');
  });

  it('redirects a folder without its slash, as Pages does', async () => {
    const bare = await get(url, '/pages/local/LLMPages');
    expect(bare.status).toBe(301);
    expect(bare.headers.location).toBe('/pages/local/LLMPages/');
    const docs = await get(url, '/pages/local/LLMPages/docs');
    expect(docs.status).toBe(301);
    expect(docs.headers.location).toBe('/pages/local/LLMPages/docs/');
  });

  it('round 2: one commit on top of round 1 in the same repository; a deleted file is gone', async () => {
    second = await publisher.publish(
      request({ round: 2, files: round2, previous: { owner: first.owner, repo: first.repo } }),
    );

    const dir = join(root, 'local', 'LLMPages');
    expect(second).toMatchObject({ owner: 'local', repo: 'LLMPages', pagesUrl: first.pagesUrl });
    expect(gitIn(dir, 'rev-parse', 'HEAD^').toString().trim()).toBe(first.commitSha);
    expect(gitIn(dir, 'rev-parse', 'HEAD').toString().trim()).toBe(second.commitSha);
    const tree = gitIn(dir, 'ls-tree', '-r', '--name-only', 'HEAD').toString();
    expect(tree).not.toContain('data/sample.bin');
    expect((await get(url, '/pages/local/LLMPages/data/sample.bin')).status).toBe(404);
    expect((await get(url, '/pages/local/LLMPages/')).body.toString()).toContain('Round 2');
    // The working folder mirrors the commit too, for whoever opens it.
    expect(gitIn(dir, 'status', '--porcelain').toString()).toBe('');
  });

  it('serves the commit, not the working folder: an uncommitted file or edit is not served', async () => {
    const dir = join(root, 'local', 'LLMPages');
    writeFileSync(join(dir, 'stray.txt'), 'not committed');
    writeFileSync(join(dir, 'index.html'), '<p>edited, not committed</p>');

    expect((await get(url, '/pages/local/LLMPages/stray.txt')).status).toBe(404);
    expect((await get(url, '/pages/local/LLMPages/')).body.toString()).toContain('Round 2');

    // Nor does a later round pick the stray file up: a commit holds exactly the round's files.
    const third = await publisher.publish(request({ round: 3, files: round2, previous: first }));
    expect(gitIn(dir, 'ls-tree', '-r', '--name-only', third.commitSha).toString()).not.toContain('stray.txt');
    second = third;
  });

  it('refuses traversal, hidden files and other repositories’ insides', async () => {
    for (const path of [
      '/pages/local/LLMPages/../../../../etc/passwd',
      '/pages/local/LLMPages/%2e%2e/%2e%2e/index.html',
      '/pages/local/LLMPages/..%2f..%2f..%2findex.html',
      '/pages/local/..%2f..%2f/index.html',
      '/pages/../index.html',
      '/pages/local/LLMPages/.git/config',
      '/pages/local/LLMPages/.git/HEAD',
      '/pages/local/LLMPages/.nojekyll',
      '/pages/local/LLMPages/docs//index.html',
      '/pages/local/LLMPages/%00',
      '/pages/local/LLMPages/%zz',
    ]) {
      const answer = await get(url, path);
      expect(answer.status, path).toBe(404);
      expect(answer.body.toString(), path).not.toContain('outer repository');
    }
  });

  it('never reaches an enclosing repository through a folder that is not a repository', async () => {
    mkdirSync(join(root, 'local', 'plain-folder'), { recursive: true });
    const answer = await get(url, '/pages/local/plain-folder/');
    expect(answer.status).toBe(404);
    expect((await get(url, '/pages/local/NoSuchRepo/')).status).toBe(404);
  });

  it('leaves any other path to the next handler, and answers only GET and HEAD', async () => {
    expect((await get(url, '/pagesx/local/LLMPages/')).status).toBe(418);
    expect((await get(url, '/v1/tasks')).status).toBe(418);
    const post = await fetch(`${url}/pages/local/LLMPages/`, { method: 'POST' });
    expect(post.status).toBe(405);
  });

  it('reports the head commit built and live, and a superseded one errored', async () => {
    expect(await publisher.pagesStatus({ ...first, commitSha: second.commitSha })).toEqual({
      status: 'built',
      live: true,
      pagesUrl: first.pagesUrl,
    });
    expect(await publisher.pagesStatus({ ...first, commitSha: first.commitSha })).toMatchObject({
      status: 'errored',
      live: false,
    });
  });

  it('gives round 1 of a task whose name is taken the suffixed name, and refuses a revise without its repository', async () => {
    const again = await publisher.publish(request({ description: 'a later task with the same name' }));
    expect(again.repo).toBe(repoNameCandidates('LLMPages', 'student@example.com')[1]);
    expect((await get(url, `/pages/local/${again.repo}/`)).body.toString()).toContain('Round 1');

    await expect(publisher.publish(request({ round: 2 }))).rejects.toBeInstanceOf(PublishError);
  });
});
