import { readFile } from 'node:fs/promises';

/** The names a transform run's work dir uses: the candidate, the trusted harness, input and output. */
export const PROGRAM_FILE = 'transform_program.py';
export const HARNESS_FILE = 'te_transform_harness.py';
export const INPUT_FILE = 'input.json';
export const OUTPUT_FILE = 'output.csv';
export const DTYPES_FILE = 'output-dtypes.json';

let harness: Promise<string> | undefined;

/** The harness's source, read once per process from beside this module. */
export function harnessSource(): Promise<string> {
  harness ??= readFile(new URL('./python/te_transform_harness.py', import.meta.url), 'utf8');
  return harness;
}
