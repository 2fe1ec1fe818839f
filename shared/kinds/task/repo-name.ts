import { createHash } from 'node:crypto';

/** GitHub's limit on a repository name. */
const MAX_NAME = 100;
/** How many suffixed names are tried after the task's own. */
const SUFFIXED_TRIES = 3;

/**
 * The repository names a round 1 tries, in order: the task's own, then the same with a suffix from
 * a hash of the task and the evaluator's email, so every attempt (and a retry) tries the same names.
 */
export function repoNameCandidates(task: string, email: string): string[] {
  const base = baseName(task);
  const suffixed = Array.from({ length: SUFFIXED_TRIES }, (_, index) => {
    const digest = createHash('sha256').update(`${task}\n${email.toLowerCase()}\n${index}`).digest('hex');
    const suffix = `-${digest.slice(0, 6)}`;
    return `${base.slice(0, MAX_NAME - suffix.length)}${suffix}`;
  });
  return [base, ...suffixed];
}

/** GitHub's alphabet, no leading dot (`.` and `..` are not names), no `.git` ending (it is stripped). */
function baseName(task: string): string {
  const name = task
    .replace(/[^A-Za-z0-9._-]/g, '-')
    .replace(/^\.+/, '')
    .replace(/\.git$/i, '')
    .slice(0, MAX_NAME);
  return name.length > 0 ? name : 'site';
}
