import type { SandboxJob } from '../../ports/sandbox-runner.js';
import { InvalidSandboxJobError } from './errors.js';

/** A plain file name: nothing that could climb out of the work dir or hide as a dotfile. */
const SAFE_NAME = /^[A-Za-z0-9_][A-Za-z0-9._-]*$/;

/** Refuses a job the runner could not run as described, before anything touches the disk. */
export function validateJob(job: SandboxJob): void {
  const names = Object.keys(job.files);
  for (const name of names) {
    if (!SAFE_NAME.test(name))
      throw new InvalidSandboxJobError(`file name ${JSON.stringify(name)} is not a plain name`);
  }
  if (!names.includes(job.entry))
    throw new InvalidSandboxJobError(`entry ${job.entry} is not among the files`);
  for (const name of job.checked) {
    if (!names.includes(name))
      throw new InvalidSandboxJobError(`checked file ${name} is not among the files`);
  }
  if (!(job.timeoutMs > 0)) throw new InvalidSandboxJobError('timeoutMs must be positive');
  for (const wanted of job.collect ?? []) {
    if (!SAFE_NAME.test(wanted.name) || names.includes(wanted.name))
      throw new InvalidSandboxJobError(
        `collected file ${JSON.stringify(wanted.name)} is not a plain new name`,
      );
    if (!(wanted.maxBytes > 0))
      throw new InvalidSandboxJobError('a collected file needs a positive maxBytes');
  }
  if (job.original !== undefined && typeof job.original !== 'string')
    throw new InvalidSandboxJobError('original must be the source of the original program');
}
