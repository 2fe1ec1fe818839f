import type { SiteFile } from './site.js';

/** A repository the engine published a task's site to. */
export interface RepoRef {
  owner: string;
  repo: string;
}

export interface PublishRequest {
  task: string;
  round: number;
  /** The evaluator's email: with `task`, it seeds the suffix tried when the task's name is taken. */
  email: string;
  /** The whole site as it must stand after this round: a path left out is deleted from the repository. */
  files: readonly SiteFile[];
  /** The repository's description: one line, under 350 characters, never the brief. */
  description: string;
  /**
   * The repository an earlier round (or an earlier attempt of this round) published to, from the
   * stored record. Required from round 2 on: a revise never looks its repository up by name.
   */
  previous?: RepoRef;
}

export interface Publication extends RepoRef {
  repoUrl: string;
  /** The one commit this round made, holding every file of `files`. */
  commitSha: string;
  pagesUrl: string;
}

export type PagesBuildStatus = 'building' | 'built' | 'errored';

export interface PagesStatusQuery extends RepoRef {
  commitSha: string;
}

/**
 * Where a published commit's Pages deployment stands, as plain JSON so a state machine's Choice can
 * read it: poll again while `building`, or while `built` and not yet `live`.
 */
export interface PagesStatus {
  /** `built` only when the build of this very commit finished; an older commit's build is `building`. */
  status: PagesBuildStatus;
  /** The pages URL answered 200 when asked (checked only once the build is `built`). */
  live: boolean;
  pagesUrl: string;
  /** Why it is `errored`, or what the URL answered when it is not yet live. */
  reason?: string;
}

/**
 * Port: puts a task round's site into a repository as one commit and serves it as Pages. Neither
 * method waits for anything to happen: the caller polls `pagesStatus`, so a Lambda never sleeps.
 */
export interface Publisher {
  publish(request: PublishRequest): Promise<Publication>;
  pagesStatus(query: PagesStatusQuery): Promise<PagesStatus>;
}
