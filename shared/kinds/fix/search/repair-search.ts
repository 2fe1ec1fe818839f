import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

/**
 * The offline repair search's contract: what its Python driver (python/te_repair_search.py) takes
 * and answers. The driver is meant to run inside the sandbox, since every mutant is derived from
 * the client's untrusted code; its patches are proposals for the judge, never a verdict.
 */

/** The driver script, beside this module. */
export const REPAIR_SEARCH_SCRIPT = fileURLToPath(new URL('./python/te_repair_search.py', import.meta.url));

export const REPAIR_OPERATORS = [
  'constant',
  'compare',
  'compare-flip',
  'binary',
  'bool',
  'negation',
  'name',
  'argument-swap',
  'bound-shift',
  'return-value',
  'conversion',
  'delete',
  'duplicate',
] as const;

export const repairRequestSchema = z.object({
  program: z.string(),
  filename: z.string().min(1).default('main.py'),
  /** The reproduction test; absent, the harness is "the program runs to exit 0". */
  test: z.string().optional(),
  traceback: z.string().optional(),
  /** Mutants run at most (default 400). */
  maxMutants: z.number().int().positive().default(400),
  /** Wall-clock budget of the whole search, seconds (default 60). */
  timeSeconds: z.number().positive().default(60),
  maxPatches: z.number().int().min(1).max(3).default(3),
});
export type RepairRequest = z.input<typeof repairRequestSchema>;

const patchSchema = z.object({
  code: z.string(),
  /** The operator (or `a+b` for a pair) that produced the patch. */
  operator: z.string(),
  lines: z.array(z.number().int()),
  edits: z.number().int(),
  /** Characters changed: the patches come smallest first by (edits, size). */
  size: z.number().int(),
  diff: z.string(),
});

export const repairResultSchema = z.object({
  patches: z.array(patchSchema),
  tried: z.number().int(),
  /** `test` when a test drove the ranking; `weak` when only "runs to exit 0" and a traceback did. */
  evidence: z.enum(['test', 'weak']),
  /** False when the harness already passed on the program: there is nothing to repair. */
  reproduced: z.boolean(),
  /** True when every edit the operators could make was tried. */
  exhausted: z.boolean(),
  lines: z.array(z.number().int()),
  seconds: z.number(),
});
export type RepairResult = z.infer<typeof repairResultSchema>;
export type RepairPatch = z.infer<typeof patchSchema>;

/**
 * Runs the driver as a child of this process and parses its answer; `onProgress` gets each
 * `searching: n/m edits …` line. This is the seam the sandbox's job (and the bench) call; it adds
 * no containment of its own beyond the driver's per-mutant limits.
 */
export function runRepairSearch(
  python: string,
  request: RepairRequest,
  onProgress?: (line: string) => void,
): Promise<RepairResult> {
  const input = JSON.stringify(repairRequestSchema.parse(request));
  return new Promise((resolve, reject) => {
    const child = spawn(python, ['-I', '-S', '-B', REPAIR_SEARCH_SCRIPT], {
      env: { PATH: '/usr/bin:/bin' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let pending = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) if (line.startsWith('searching:')) onProgress?.(line);
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) {
        reject(new Error(`the repair search exited with ${code}`));
        return;
      }
      try {
        resolve(repairResultSchema.parse(JSON.parse(stdout)));
      } catch (error) {
        reject(new Error('the repair search answered something unreadable', { cause: error }));
      }
    });
    child.stdin.end(input);
  });
}
