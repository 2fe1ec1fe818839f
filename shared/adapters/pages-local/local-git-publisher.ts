import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PublishError, requirePreviousForRevise } from '../../kinds/task/publish-errors.js';
import { publishedFiles } from '../../kinds/task/published-files.js';
import type {
  PagesStatus,
  PagesStatusQuery,
  Publication,
  Publisher,
  PublishRequest,
  RepoRef,
} from '../../kinds/task/publisher.js';
import { repoDescription } from '../../kinds/task/repo-description.js';
import { repoNameCandidates } from '../../kinds/task/repo-name.js';
import { isSafeSitePath, type SiteFile } from '../../kinds/task/site.js';
import { probePagesUrl } from '../pages-probe.js';
import { git, gitInit } from './git-cli.js';
import { isRepoSegment } from './repo-path.js';

export interface LocalGitPublisherOptions {
  /** Repositories live at `<rootDir>/<owner>/<repo>`. */
  rootDir: string;
  /** Where the pages handler is mounted, e.g. `http://127.0.0.1:3000/pages`. */
  pagesBaseUrl: string;
  /** @default 'local' */
  owner?: string;
  /** @default 5000 */
  probeTimeoutMs?: number;
  now?: () => Date;
}

const BRANCH = 'refs/heads/main';
/** As on GitHub: a taken name with our description, made within a round's deadline, is this round's. */
const SAME_ROUND_WINDOW_MS = 10 * 60 * 1000;
/** Commits say who made them without reading any git configuration. */
const IDENTITY = {
  GIT_AUTHOR_NAME: 'Truth Engine',
  GIT_AUTHOR_EMAIL: 'truth-engine@localhost',
  GIT_COMMITTER_NAME: 'Truth Engine',
  GIT_COMMITTER_EMAIL: 'truth-engine@localhost',
};

/**
 * Publishes to real git repositories on this machine (the dry run without a GitHub token): one
 * repository per task, one commit per round holding exactly the round's files, served by the
 * local pages handler from the committed tree.
 */
export class LocalGitPublisher implements Publisher {
  readonly #root: string;
  readonly #owner: string;
  readonly #pagesBaseUrl: string;
  readonly #probeTimeoutMs: number;
  readonly #now: () => Date;

  constructor(options: LocalGitPublisherOptions) {
    this.#root = resolve(options.rootDir);
    this.#owner = options.owner ?? 'local';
    this.#pagesBaseUrl = options.pagesBaseUrl.replace(/\/+$/, '');
    this.#probeTimeoutMs = options.probeTimeoutMs ?? 5000;
    this.#now = options.now ?? (() => new Date());
    if (!isRepoSegment(this.#owner)) throw new Error(`not a usable owner name: ${this.#owner}`);
  }

  async publish(request: PublishRequest): Promise<Publication> {
    requirePreviousForRevise(request);
    const description = repoDescription(request.description);
    const repo = request.previous
      ? await this.#existing(request.previous)
      : await this.#create(request, description);
    const workTree = this.#path(repo);
    try {
      const files = publishedFiles(request.files);
      const commitSha = await commitTree(
        workTree,
        files,
        `Round ${request.round} of ${request.task}`,
        request.round >= 2,
      );
      return {
        ...repo,
        repoUrl: pathToFileURL(workTree).href,
        commitSha,
        pagesUrl: this.#pagesUrl(repo),
      };
    } catch (error) {
      throw new PublishError(
        `publishing round ${request.round} of ${request.task} to ${workTree} failed: ${(error as Error).message}`,
        repo,
        { cause: error },
      );
    }
  }

  /** A local "build" is the commit itself: built when it is the branch's head, then the URL is asked. */
  async pagesStatus(query: PagesStatusQuery): Promise<PagesStatus> {
    const pagesUrl = this.#pagesUrl(query);
    const gitDir = join(this.#path(query), '.git');
    const head = await git(['rev-parse', '--verify', '--quiet', BRANCH], { gitDir }).then(
      (out) => out.toString('utf8').trim(),
      () => undefined,
    );
    if (head !== query.commitSha) {
      const reason = head ? `the branch is at ${head.slice(0, 7)} now` : 'the repository has no commit';
      return { status: 'errored', live: false, pagesUrl, reason };
    }
    const probe = await probePagesUrl(pagesUrl, this.#probeTimeoutMs);
    return { status: 'built', live: probe.ok, pagesUrl, ...(probe.reason ? { reason: probe.reason } : {}) };
  }

  #path(repo: RepoRef): string {
    return join(this.#root, repo.owner, repo.repo);
  }

  #pagesUrl(repo: RepoRef): string {
    return `${this.#pagesBaseUrl}/${encodeURIComponent(repo.owner)}/${encodeURIComponent(repo.repo)}/`;
  }

  async #existing(ref: RepoRef): Promise<RepoRef> {
    if (!isRepoSegment(ref.owner) || !isRepoSegment(ref.repo)) {
      throw new PublishError(`not a repository name: ${ref.owner}/${ref.repo}`);
    }
    const found = await stat(join(this.#path(ref), '.git')).catch(() => undefined);
    if (!found?.isDirectory())
      throw new PublishError(`no repository ${ref.owner}/${ref.repo} under ${this.#root}`);
    return { owner: ref.owner, repo: ref.repo };
  }

  /** Claims the first free name with mkdir (atomic: two attempts never share a folder). */
  async #create(request: PublishRequest, description: string): Promise<RepoRef> {
    await mkdir(join(this.#root, this.#owner), { recursive: true });
    const names = repoNameCandidates(request.task, request.email);
    for (const name of names) {
      const repo = { owner: this.#owner, repo: name };
      const workTree = this.#path(repo);
      try {
        await mkdir(workTree);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        if (await this.#madeThisRound(workTree, description)) return repo;
        continue;
      }
      await gitInit(workTree);
      // git's own description file, as GitHub keeps a description beside the repository.
      await writeFile(join(workTree, '.git', 'description'), `${description}\n`);
      return repo;
    }
    throw new PublishError(`every repository name tried for ${request.task} is taken: ${names.join(', ')}`);
  }

  async #madeThisRound(workTree: string, description: string): Promise<boolean> {
    const gitDir = join(workTree, '.git');
    const [recorded, info] = await Promise.all([
      readFile(join(gitDir, 'description'), 'utf8').catch(() => undefined),
      stat(gitDir).catch(() => undefined),
    ]);
    if (recorded?.trim() !== description || !info) return false;
    return this.#now().getTime() - info.birthtimeMs < SAME_ROUND_WINDOW_MS;
  }
}

/**
 * One commit whose tree is exactly `files`, made with git's plumbing in a private index, so
 * nothing in the working folder (an edited or stray file) can slip into it. A revise's parent is
 * the branch head, and the branch moves only if it is still there; round 1's commit is a root.
 * The working folder is then reset to the commit, for whoever opens the repository.
 */
async function commitTree(workTree: string, files: readonly SiteFile[], message: string, onTop: boolean) {
  const gitDir = join(workTree, '.git');
  for (const file of files) {
    if (file.path !== '.nojekyll' && !isSafeSitePath(file.path))
      throw new Error(`not a site path: ${file.path}`);
  }
  const parent = onTop
    ? (await git(['rev-parse', '--verify', BRANCH], { gitDir })).toString('utf8').trim()
    : undefined;
  const index = join(gitDir, `publish-${randomUUID()}.index`);
  try {
    const entries: string[] = [];
    for (const file of files) {
      const sha = (await git(['hash-object', '-w', '--stdin'], { gitDir, input: file.content }))
        .toString('utf8')
        .trim();
      entries.push(`100644 ${sha}\t${file.path}\0`);
    }
    const env = { GIT_INDEX_FILE: index };
    await git(['update-index', '-z', '--add', '--index-info'], { gitDir, env, input: entries.join('') });
    const tree = (await git(['write-tree'], { gitDir, env })).toString('utf8').trim();
    const commit = (
      await git(['commit-tree', tree, ...(parent ? ['-p', parent] : []), '-m', message], {
        gitDir,
        env: IDENTITY,
      })
    )
      .toString('utf8')
      .trim();
    await git(['update-ref', BRANCH, commit, ...(parent ? [parent] : [])], { gitDir });
    await git(['reset', '--quiet', '--hard', commit], { gitDir, workTree });
    return commit;
  } finally {
    await rm(index, { force: true });
  }
}
