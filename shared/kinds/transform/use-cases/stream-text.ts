import { z } from 'zod';
import { NotFoundError } from '../../../domain/errors.js';
import type { Principal } from '../../../domain/principal.js';
import { parseRequestBody } from '../../../domain/request-validation.js';
import type { DatasetStore } from '../dataset-store.js';
import { datasetIdSchema, MAX_INSTRUCTION_CHARS, MAX_SPEC_CHARS } from '../transform-request.js';
import type { TransformTextSource } from '../transform-text-source.js';

export interface StreamTextDeps {
  datasets: Pick<DatasetStore, 'getMeta'>;
  source: TransformTextSource;
}

const refineSchema = z
  .object({
    datasetId: datasetIdSchema,
    instruction: z.string().trim().min(1, 'instruction is empty').max(MAX_INSTRUCTION_CHARS),
  })
  .strict();
const generateSchema = z
  .object({ datasetId: datasetIdSchema, spec: z.string().trim().min(1, 'spec is empty').max(MAX_SPEC_CHARS) })
  .strict();

/**
 * The text a client watches being written: a specification refined from an instruction, or the
 * program for a specification. Everything refusable is refused before the first chunk (an invalid
 * body names its field; someone else's or an expired dataset is not found); the source's own
 * failures come later, in the stream.
 *
 * 1. Validate the body. 2. The dataset must be the caller's. 3. Hand back the source's chunks,
 *    told only the dataset's shape and its preview rows.
 */
export async function streamText(
  deps: StreamTextDeps,
  what: 'refine' | 'generate',
  body: unknown,
  caller: Principal,
  signal?: AbortSignal,
): Promise<AsyncIterable<string>> {
  const request =
    what === 'refine'
      ? { ...parseRequestBody(refineSchema, body), spec: undefined }
      : { ...parseRequestBody(generateSchema, body), instruction: undefined };
  const dataset = await deps.datasets.getMeta(request.datasetId);
  if (!dataset || dataset.owner !== caller.userId) throw new NotFoundError('no such dataset');
  const sketch = { columns: dataset.columns, rows: dataset.rows, preview: dataset.preview };
  return what === 'refine'
    ? deps.source.refine({ ...sketch, instruction: request.instruction ?? '' }, signal)
    : deps.source.generate({ ...sketch, spec: request.spec ?? '' }, signal);
}
