import type { ProviderCall } from '../../domain/types.js';
import type { Cell, DatasetColumn } from './dataset.js';

/** What a source is told about the data: never the whole table, only its shape and a sample. */
export interface DatasetSketch {
  columns: DatasetColumn[];
  rows: number;
  preview: Cell[][];
}

export interface RefineInput extends DatasetSketch {
  instruction: string;
}

export interface GenerateInput extends DatasetSketch {
  /** The specification (the five sections, markdown). */
  spec: string;
}

/** One candidate program and who wrote it. */
export interface ProgramProposal {
  source: string;
  /** Python defining `transform(df) -> DataFrame`, fences already stripped. */
  code: string;
}

export interface ProposedPrograms {
  programs: ProgramProposal[];
  notes: string[];
  calls: ProviderCall[];
}

/**
 * Port: writes a transform's specification and code. `refine` and `generate` stream text as it is
 * written (chunks, in order; their concatenation is the whole answer); `propose` writes `count`
 * distinct programs for a run. A source that cannot understand the instruction throws
 * InstructionNotUnderstoodError before the first chunk.
 */
export interface TransformTextSource {
  readonly name: string;
  refine(input: RefineInput, signal?: AbortSignal): AsyncIterable<string>;
  generate(input: GenerateInput, signal?: AbortSignal): AsyncIterable<string>;
  propose(input: GenerateInput & { count: number }, signal?: AbortSignal): Promise<ProposedPrograms>;
}
