import './quiet-logs.js';
import './process-defaults.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pve } from '../../shared/client/pve-cli.js';
import { startLocalStack } from './local-stack.js';

/*
 * The main job end to end: starts the local stack in this process on a free port with a throwaway
 * data dir, runs the CLI on the bundled example, and exits 0 only if a fix was verified.
 */
const examples = resolve(fileURLToPath(new URL('./examples', import.meta.url)));
const show = (path: string) => relative(process.cwd(), path);
const dataDir = await mkdtemp(join(tmpdir(), 'truth-engine-demo-'));
const stack = await startLocalStack({ port: 0, dataDir });
let status = 1;
try {
  const program = join(examples, 'average.py');
  const test = join(examples, 'check_average.py');
  const errorFile = join(examples, 'average.error.txt');
  console.log(`local stack on ${stack.httpUrl} (sandbox: ${stack.containment})`);
  console.log(`$ pve fix ${show(program)} --test ${show(test)} --error-file ${show(errorFile)}\n`);
  status = await pve(
    ['fix', program, '--test', test, '--error-file', errorFile, '--url', stack.wsUrl, '--timeout', '120'],
    {
      out: (line) => console.log(line),
      err: (line) => console.error(line),
      colour: process.stdout.isTTY === true,
    },
  );
} finally {
  await stack.close();
  await rm(dataDir, { recursive: true, force: true });
}
console.log(status === 0 ? '\ndemo: the fix was verified' : '\ndemo: nothing was verified');
process.exit(status);
