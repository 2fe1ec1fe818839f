import { readFile } from 'node:fs/promises';
import { z } from 'zod';

/** The body of `POST /v1/tasks`, as the evaluator sends it. */
export interface TaskBody {
  email: string;
  secret: string;
  task: string;
  round: number;
  nonce: string;
  brief: string;
  checks: string[];
  evaluation_url: string;
  attachments: Array<{ name: string; url: string }>;
}

/** What an example file holds: the task without what only exists at run time. */
const exampleSchema = z.object({
  email: z.string(),
  task: z.string(),
  round: z.number().int(),
  brief: z.string(),
  checks: z.array(z.string()).min(1),
  attachments: z.array(z.object({ name: z.string(), url: z.string() })),
});

export type ExampleTask = z.infer<typeof exampleSchema>;

/** Reads a bundled example task. Only its shape is checked here: the API says what it refuses. */
export async function readExampleTask(path: string): Promise<ExampleTask> {
  const parsed = exampleSchema.safeParse(JSON.parse(await readFile(path, 'utf8')));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${path}: ${issue?.path.join('.') || 'the file'}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}

/**
 * The example as this run sends it: the secret is the one the stack was started with, and a fresh
 * nonce makes every run a round of its own, as the evaluator's are.
 */
export function taskBody(
  example: ExampleTask,
  run: { secret: string; nonce: string; evaluationUrl: string },
): TaskBody {
  return { ...example, secret: run.secret, nonce: run.nonce, evaluation_url: run.evaluationUrl };
}
