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
import { branchHead, type CommitTarget, commitFiles } from './git-commit.js';
import type { GitHubClient } from './github-client.js';
import { deployPages, readPagesStatus } from './github-pages.js';
import { isNameTaken } from './request-status.js';

export interface GitHubPublisherOptions {
  /** How long the pages URL has to answer when its status is read. @default 5000 */
  probeTimeoutMs?: number;
  now?: () => Date;
}

/**
 * A repository that answers to one of our names was made by an earlier attempt of this very round
 * (its creation went through but the answer was lost, or the attempt failed later) when it carries
 * the same description and is younger than a round's whole deadline. Anything else is someone
 * else's, and the next name is tried.
 */
const SAME_ROUND_WINDOW_MS = 10 * 60 * 1000;

interface Target extends CommitTarget {
  repoUrl: string;
}

/**
 * Publishes to GitHub: round 1 creates a public repository for the token's user, every round makes
 * one commit of the whole site through the git data API and deploys Pages from the default branch.
 */
export class GitHubPublisher implements Publisher {
  readonly #client: GitHubClient;
  readonly #probeTimeoutMs: number;
  readonly #now: () => Date;
  #login: Promise<string> | undefined;

  constructor(client: GitHubClient, options: GitHubPublisherOptions = {}) {
    this.#client = client;
    this.#probeTimeoutMs = options.probeTimeoutMs ?? 5000;
    this.#now = options.now ?? (() => new Date());
  }

  async publish(request: PublishRequest): Promise<Publication> {
    requirePreviousForRevise(request);
    const description = repoDescription(request.description);
    const target = request.previous
      ? await this.#existing(request.previous)
      : await this.#create(request.task, request.email, description);
    const repo: RepoRef = { owner: target.owner, repo: target.repo };
    try {
      // Round 1 writes a root commit; a revise builds on the branch as it stands now.
      const parent = request.round >= 2 ? await branchHead(this.#client, target) : undefined;
      const commitSha = await commitFiles(
        this.#client,
        target,
        publishedFiles(request.files),
        `Round ${request.round} of ${request.task}`,
        parent,
      );
      const pagesUrl = await deployPages(this.#client, target);
      return { ...repo, repoUrl: target.repoUrl, commitSha, pagesUrl };
    } catch (error) {
      throw new PublishError(
        `publishing round ${request.round} of ${request.task} to ${repo.owner}/${repo.repo} failed: ${(error as Error).message}`,
        repo,
        { cause: error },
      );
    }
  }

  pagesStatus(query: PagesStatusQuery): Promise<PagesStatus> {
    return readPagesStatus(this.#client, query, this.#probeTimeoutMs);
  }

  async #existing(ref: RepoRef): Promise<Target> {
    const { data } = await this.#client.rest.repos.get({ owner: ref.owner, repo: ref.repo });
    return { owner: data.owner.login, repo: data.name, branch: data.default_branch, repoUrl: data.html_url };
  }

  /**
   * A new public repository, initialised with a first commit: the git data API refuses to write
   * into a repository with no commit at all (409 "Git Repository is empty"). That commit is then
   * replaced, not built on (see commitFiles).
   */
  async #create(task: string, email: string, description: string): Promise<Target> {
    const owner = await this.#owner();
    const names = repoNameCandidates(task, email);
    for (const name of names) {
      try {
        const { data } = await this.#client.rest.repos.createForAuthenticatedUser({
          name,
          description,
          private: false,
          auto_init: true,
          has_wiki: false,
          has_projects: false,
        });
        return {
          owner: data.owner.login,
          repo: data.name,
          branch: data.default_branch,
          repoUrl: data.html_url,
        };
      } catch (error) {
        if (!isNameTaken(error)) throw error;
      }
      const { data } = await this.#client.rest.repos.get({ owner, repo: name });
      const age = this.#now().getTime() - Date.parse(data.created_at);
      if (data.description === description && age < SAME_ROUND_WINDOW_MS) {
        return {
          owner: data.owner.login,
          repo: data.name,
          branch: data.default_branch,
          repoUrl: data.html_url,
        };
      }
    }
    throw new PublishError(`every repository name tried for ${task} is taken: ${names.join(', ')}`);
  }

  #owner(): Promise<string> {
    // Asked once per process; a failed ask is not remembered.
    this.#login ??= this.#client.rest.users
      .getAuthenticated()
      .then(({ data }) => data.login)
      .catch((error: unknown) => {
        this.#login = undefined;
        throw error;
      });
    return this.#login;
  }
}
