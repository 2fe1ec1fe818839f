import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/*
 * A loopback server that speaks the slice of GitHub's REST API the publisher uses — repositories,
 * git data (blobs, trees, commits, refs) and Pages — with GitHub's status codes and bodies, so the
 * real SDK runs against it unchanged. It also serves each repository's built Pages under
 * `/_pages/<owner>/<repo>/`, the `html_url` it reports.
 */

export interface FakeRepo {
  owner: string;
  name: string;
  description: string;
  private: boolean;
  createdAt: Date;
  defaultBranch: string;
  refs: Map<string, string>;
  pages?: { branch: string; path: string };
  builds: FakeBuild[];
}

export interface FakeBuild {
  commit: string;
  status: 'queued' | 'building' | 'built' | 'errored';
}

export interface FakeCommit {
  sha: string;
  tree: string;
  parents: string[];
  message: string;
}

export interface RecordedRequest {
  method: string;
  path: string;
  status: number;
}

/** A scripted failure: the next matching request is answered with `status`. */
export interface Injection {
  method: string;
  path: RegExp;
  status: number;
  /** Do the work first, then answer the failure: the request took effect but its caller never knew. */
  afterEffect?: boolean;
}

type Json = Record<string, unknown>;
type Answer = { status: number; body?: unknown };

class GitHubError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly errors?: Json[],
  ) {
    super(message);
  }
}

export class FakeGitHub {
  readonly requests: RecordedRequest[] = [];
  readonly repos = new Map<string, FakeRepo>();
  readonly blobs = new Map<string, Buffer>();
  /** A tree is kept flat: path → blob sha, which is all a static site needs. */
  readonly trees = new Map<string, Map<string, string>>();
  readonly commits = new Map<string, FakeCommit>();
  readonly #injections: Injection[] = [];

  private constructor(
    private readonly server: Server,
    readonly url: string,
    readonly login: string,
    private readonly token: string,
  ) {}

  static async start(options: { login: string; token: string }): Promise<FakeGitHub> {
    let fake: FakeGitHub | undefined;
    const server = createServer((req, res) => {
      void fake?.handle(req, res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    fake = new FakeGitHub(server, `http://127.0.0.1:${port}`, options.login, options.token);
    return fake;
  }

  inject(injection: Injection): void {
    this.#injections.push(injection);
  }

  /** A repository someone else made long ago under the same account (a name that is taken). */
  seedRepo(name: string, description = 'another project'): void {
    this.repos.set(`${this.login}/${name}`, {
      owner: this.login,
      name,
      description,
      private: false,
      createdAt: new Date(Date.now() - 30 * 24 * 3600 * 1000),
      defaultBranch: 'main',
      refs: new Map(),
      builds: [],
    });
  }

  repo(name: string): FakeRepo | undefined {
    return this.repos.get(`${this.login}/${name}`);
  }

  /** Every queued or running Pages build finishes with `status`. */
  finishBuilds(status: 'built' | 'errored' = 'built'): void {
    for (const repo of this.repos.values()) {
      for (const build of repo.builds)
        if (build.status === 'queued' || build.status === 'building') build.status = status;
    }
  }

  /** The files of a commit, path → bytes. */
  filesAt(commitSha: string): Map<string, Buffer> {
    const commit = this.commits.get(commitSha);
    const tree = commit ? this.trees.get(commit.tree) : undefined;
    if (!tree) throw new Error(`fake: no commit ${commitSha}`);
    return new Map([...tree].map(([path, sha]) => [path, this.blobs.get(sha) ?? Buffer.alloc(0)]));
  }

  /** The commits reachable from a ref, newest first. */
  history(name: string, branch = 'main'): FakeCommit[] {
    const out: FakeCommit[] = [];
    let sha = this.repo(name)?.refs.get(branch);
    while (sha) {
      const commit = this.commits.get(sha);
      if (!commit) break;
      out.push(commit);
      sha = commit.parents[0];
    }
    return out;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve, reject) =>
      this.server.close((error) => (error ? reject(error) : resolve())),
    );
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const method = req.method ?? 'GET';
    // Octokit sends a ref's slash encoded (`git/refs/heads%2Fmain`), as GitHub accepts it.
    const path = decodeURIComponent((req.url ?? '/').split('?')[0] ?? '/');
    let answer: Answer;
    const injected = this.#takeInjection(method, path);
    try {
      if (path.startsWith('/_pages/')) {
        this.#servePages(path, res);
        this.requests.push({ method, path, status: res.statusCode });
        return;
      }
      if (req.headers.authorization !== `token ${this.token}`) throw new GitHubError(401, 'Bad credentials');
      if (injected && !injected.afterEffect) throw new GitHubError(injected.status, 'Server Error');
      const body = chunks.length > 0 ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as Json) : {};
      answer = this.#route(method, path, body);
      if (injected) throw new GitHubError(injected.status, 'Server Error');
    } catch (error) {
      if (!(error instanceof GitHubError)) throw error;
      answer = {
        status: error.status,
        body: {
          message: error.message,
          documentation_url: 'https://docs.github.com/rest',
          ...(error.errors ? { errors: error.errors } : {}),
        },
      };
    }
    this.requests.push({ method, path, status: answer.status });
    res.writeHead(answer.status, { 'content-type': 'application/json; charset=utf-8' });
    res.end(answer.body === undefined ? '' : JSON.stringify(answer.body));
  }

  #takeInjection(method: string, path: string): Injection | undefined {
    const index = this.#injections.findIndex((each) => each.method === method && each.path.test(path));
    return index < 0 ? undefined : this.#injections.splice(index, 1)[0];
  }

  #route(method: string, path: string, body: Json): Answer {
    if (method === 'GET' && path === '/user')
      return { status: 200, body: { login: this.login, type: 'User' } };
    if (method === 'POST' && path === '/user/repos') return this.#createRepo(body);
    const match = /^\/repos\/([^/]+)\/([^/]+)(\/.*)?$/.exec(path);
    if (!match) throw new GitHubError(404, 'Not Found');
    const repo = this.repos.get(`${match[1]}/${match[2]}`);
    if (!repo) throw new GitHubError(404, 'Not Found');
    const rest = match[3] ?? '';
    const route = `${method} ${rest}`;
    if (route === 'GET ') return { status: 200, body: this.#repoJson(repo) };
    if (route === 'POST /git/blobs') return this.#createBlob(repo, body);
    if (route === 'POST /git/trees') return this.#createTree(repo, body);
    if (route === 'POST /git/commits') return this.#createCommit(repo, body);
    if (route === 'POST /git/refs') return this.#createRef(repo, body);
    const getRef = /^GET \/git\/ref\/heads\/(.+)$/.exec(route);
    if (getRef?.[1]) return this.#getRef(repo, getRef[1]);
    const updateRef = /^PATCH \/git\/refs\/heads\/(.+)$/.exec(route);
    if (updateRef?.[1]) return this.#updateRef(repo, updateRef[1], body);
    if (route === 'POST /pages') return this.#createPages(repo, body);
    if (route === 'GET /pages') return { status: 200, body: this.#pagesJson(repo) };
    if (route === 'POST /pages/builds') return this.#requestBuild(repo);
    if (route === 'GET /pages/builds/latest') return this.#latestBuild(repo);
    throw new GitHubError(404, 'Not Found');
  }

  #createRepo(body: Json): Answer {
    const name = String(body.name ?? '');
    if (this.repos.has(`${this.login}/${name}`)) {
      throw new GitHubError(422, 'Repository creation failed.', [
        {
          resource: 'Repository',
          code: 'custom',
          field: 'name',
          message: 'name already exists on this account',
        },
      ]);
    }
    const description = String(body.description ?? '');
    if (description.length >= 350 || /[\r\n]/.test(description)) {
      throw new GitHubError(422, 'Repository creation failed.', [
        { resource: 'Repository', code: 'custom', field: 'description', message: 'description is invalid' },
      ]);
    }
    const repo: FakeRepo = {
      owner: this.login,
      name,
      description,
      private: body.private === true,
      createdAt: new Date(),
      defaultBranch: 'main',
      refs: new Map(),
      builds: [],
    };
    this.repos.set(`${this.login}/${name}`, repo);
    if (body.auto_init === true) {
      const blob = this.#putBlob(Buffer.from(`# ${name}\n`));
      const tree = this.#putTree(new Map([['README.md', blob]]));
      repo.refs.set('main', this.#putCommit({ tree, parents: [], message: 'Initial commit' }));
    }
    return { status: 201, body: this.#repoJson(repo) };
  }

  #repoJson(repo: FakeRepo): Json {
    return {
      name: repo.name,
      full_name: `${repo.owner}/${repo.name}`,
      owner: { login: repo.owner, type: 'User' },
      private: repo.private,
      visibility: repo.private ? 'private' : 'public',
      description: repo.description,
      html_url: `https://github.com/${repo.owner}/${repo.name}`,
      default_branch: repo.defaultBranch,
      created_at: repo.createdAt.toISOString(),
      has_pages: repo.pages !== undefined,
    };
  }

  /** GitHub's git data API refuses to write into a repository with no commit at all. */
  #assertNotEmpty(repo: FakeRepo): void {
    if (repo.refs.size === 0) throw new GitHubError(409, 'Git Repository is empty.');
  }

  #createBlob(repo: FakeRepo, body: Json): Answer {
    this.#assertNotEmpty(repo);
    const content =
      body.encoding === 'base64'
        ? Buffer.from(String(body.content ?? ''), 'base64')
        : Buffer.from(String(body.content ?? ''), 'utf8');
    const sha = this.#putBlob(content);
    return {
      status: 201,
      body: { sha, url: `${this.url}/repos/${repo.owner}/${repo.name}/git/blobs/${sha}` },
    };
  }

  #createTree(repo: FakeRepo, body: Json): Answer {
    this.#assertNotEmpty(repo);
    const entries = body.tree as Array<{
      path: string;
      mode: string;
      type: string;
      sha?: string;
      content?: string;
    }>;
    const base = body.base_tree ? this.trees.get(String(body.base_tree)) : undefined;
    const tree = new Map(base ?? []);
    for (const entry of entries) {
      if (entry.type !== 'blob' || !/^100(644|755)$/.test(entry.mode))
        throw new GitHubError(422, 'Invalid tree info');
      const sha =
        entry.sha ?? (entry.content !== undefined ? this.#putBlob(Buffer.from(entry.content)) : undefined);
      if (!sha || !this.blobs.has(sha))
        throw new GitHubError(422, `tree.sha ${entry.sha} is not a valid blob`);
      tree.set(entry.path, sha);
    }
    const sha = this.#putTree(tree);
    return {
      status: 201,
      body: { sha, tree: [...tree].map(([path, blob]) => ({ path, sha: blob, type: 'blob' })) },
    };
  }

  #createCommit(repo: FakeRepo, body: Json): Answer {
    this.#assertNotEmpty(repo);
    const tree = String(body.tree ?? '');
    const parents = (body.parents as string[] | undefined) ?? [];
    if (!this.trees.has(tree)) throw new GitHubError(422, 'Tree SHA does not exist');
    for (const parent of parents)
      if (!this.commits.has(parent)) throw new GitHubError(422, 'Parent SHA does not exist');
    const sha = this.#putCommit({ tree, parents, message: String(body.message ?? '') });
    return {
      status: 201,
      body: { sha, tree: { sha: tree }, parents: parents.map((each) => ({ sha: each })) },
    };
  }

  #getRef(repo: FakeRepo, branch: string): Answer {
    this.#assertNotEmpty(repo);
    const sha = repo.refs.get(branch);
    if (!sha) throw new GitHubError(404, 'Not Found');
    return { status: 200, body: { ref: `refs/heads/${branch}`, object: { sha, type: 'commit' } } };
  }

  #createRef(repo: FakeRepo, body: Json): Answer {
    const ref = String(body.ref ?? '');
    const sha = String(body.sha ?? '');
    const branch = /^refs\/heads\/(.+)$/.exec(ref)?.[1];
    if (!branch) throw new GitHubError(422, 'Reference name must start with refs/');
    if (repo.refs.has(branch)) throw new GitHubError(422, 'Reference already exists');
    if (!this.commits.has(sha)) throw new GitHubError(422, 'Object does not exist');
    this.#moveRef(repo, branch, sha);
    return { status: 201, body: { ref, object: { sha, type: 'commit' } } };
  }

  #updateRef(repo: FakeRepo, branch: string, body: Json): Answer {
    const sha = String(body.sha ?? '');
    const current = repo.refs.get(branch);
    if (!current) throw new GitHubError(422, 'Reference does not exist');
    if (!this.commits.has(sha)) throw new GitHubError(422, 'Object does not exist');
    if (body.force !== true && !this.#descends(sha, current))
      throw new GitHubError(422, 'Update is not a fast forward');
    this.#moveRef(repo, branch, sha);
    return { status: 200, body: { ref: `refs/heads/${branch}`, object: { sha, type: 'commit' } } };
  }

  /** A push to the Pages branch starts a build, as on GitHub. */
  #moveRef(repo: FakeRepo, branch: string, sha: string): void {
    repo.refs.set(branch, sha);
    if (repo.pages?.branch === branch) repo.builds.push({ commit: sha, status: 'building' });
  }

  #descends(sha: string, ancestor: string): boolean {
    const seen = new Set<string>();
    const queue = [sha];
    while (queue.length > 0) {
      const next = queue.shift() as string;
      if (next === ancestor) return true;
      if (seen.has(next)) continue;
      seen.add(next);
      queue.push(...(this.commits.get(next)?.parents ?? []));
    }
    return false;
  }

  #createPages(repo: FakeRepo, body: Json): Answer {
    if (repo.pages) throw new GitHubError(409, 'GitHub Pages is already enabled.');
    const source = body.source as { branch?: string; path?: string } | undefined;
    if (!source?.branch || !repo.refs.has(source.branch)) {
      throw new GitHubError(422, 'The main branch must exist before GitHub Pages can be built.');
    }
    repo.pages = { branch: source.branch, path: source.path ?? '/' };
    repo.builds.push({ commit: repo.refs.get(source.branch) as string, status: 'building' });
    return { status: 201, body: this.#pagesJson(repo) };
  }

  #pagesJson(repo: FakeRepo): Json {
    if (!repo.pages) throw new GitHubError(404, 'Not Found');
    return {
      url: `${this.url}/repos/${repo.owner}/${repo.name}/pages`,
      status: repo.builds.at(-1)?.status ?? null,
      html_url: `${this.url}/_pages/${repo.owner}/${repo.name}/`,
      build_type: 'legacy',
      source: repo.pages,
      public: true,
    };
  }

  #requestBuild(repo: FakeRepo): Answer {
    if (!repo.pages) throw new GitHubError(404, 'Not Found');
    repo.builds.push({ commit: repo.refs.get(repo.pages.branch) as string, status: 'queued' });
    return {
      status: 201,
      body: { url: `${this.url}/repos/${repo.owner}/${repo.name}/pages/builds/latest`, status: 'queued' },
    };
  }

  #latestBuild(repo: FakeRepo): Answer {
    const build = repo.builds.at(-1);
    if (!repo.pages || !build) throw new GitHubError(404, 'Not Found');
    return {
      status: 200,
      body: {
        status: build.status,
        commit: build.commit,
        error: { message: build.status === 'errored' ? 'Page build failed.' : null },
        created_at: new Date().toISOString(),
      },
    };
  }

  /** Serves the files of the newest built commit, the way a Pages site answers. */
  #servePages(path: string, res: ServerResponse): void {
    const [, , owner, name, ...rest] = path.split('/');
    const repo = this.repos.get(`${owner}/${name}`);
    const built = repo?.builds.filter((build) => build.status === 'built').at(-1);
    const file = rest.join('/') === '' ? 'index.html' : decodeURIComponent(rest.join('/'));
    const content = built ? this.filesAt(built.commit).get(file) : undefined;
    res.writeHead(content ? 200 : 404, { 'content-type': 'text/html; charset=utf-8' });
    res.end(content ?? '<h1>404</h1>');
  }

  #putBlob(content: Buffer): string {
    const sha = gitSha('blob', content);
    this.blobs.set(sha, content);
    return sha;
  }

  #putTree(tree: Map<string, string>): string {
    const sorted = [...tree].sort(([a], [b]) => (a < b ? -1 : 1));
    const sha = gitSha('tree', Buffer.from(JSON.stringify(sorted)));
    this.trees.set(sha, new Map(sorted));
    return sha;
  }

  #putCommit(commit: Omit<FakeCommit, 'sha'>): string {
    const sha = gitSha('commit', Buffer.from(JSON.stringify([commit, this.commits.size])));
    this.commits.set(sha, { sha, ...commit });
    return sha;
  }
}

/** A blob's sha is git's own (`git hash-object`); trees and commits only need to be unique. */
function gitSha(type: string, content: Buffer): string {
  return createHash('sha1').update(`${type} ${content.length}\0`).update(content).digest('hex');
}
