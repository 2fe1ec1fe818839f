import type { PublishRequest, RepoRef } from './publisher.js';

/**
 * A round's site that cannot be published as asked (a revise without its repository, every
 * candidate name taken). `repo` is set once a repository exists, so a retry can resume into it.
 */
export class PublishError extends Error {
  readonly repo: RepoRef | undefined;

  constructor(message: string, repo?: RepoRef, options?: ErrorOptions) {
    super(message, options);
    this.name = 'PublishError';
    this.repo = repo;
  }
}

/** A revise publishes on top of the repository round 1 made, never a guessed one: it must be named. */
export function requirePreviousForRevise(request: PublishRequest): void {
  if (request.round >= 2 && !request.previous) {
    throw new PublishError(
      `round ${request.round} of ${request.task} needs the repository an earlier round made`,
    );
  }
}
