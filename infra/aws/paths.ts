import { fileURLToPath } from 'node:url';

/**
 * The repository root, resolved from this file rather than the working directory so that
 * `cdk synth`, the tests and an editor's language server all find the same handlers.
 */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The state machines the local stack runs; AWS deploys these very files. */
export const FIX_DEFINITION_PATH = fileURLToPath(
  new URL('../../statemachines/fix.asl.json', import.meta.url),
);
export const TASK_DEFINITION_PATH = fileURLToPath(
  new URL('../../statemachines/task.asl.json', import.meta.url),
);
export const TRANSFORM_DEFINITION_PATH = fileURLToPath(
  new URL('../../statemachines/transform.asl.json', import.meta.url),
);

/** The web console's static export (`npm run build:web` writes it); AWS serves it through CloudFront. */
export const WEB_CONSOLE_DIR = fileURLToPath(new URL('../../web/out', import.meta.url));
