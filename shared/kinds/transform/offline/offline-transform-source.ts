import type { DatasetColumn } from '../dataset.js';
import { parseSpec, renderSpec } from '../spec.js';
import type {
  DatasetSketch,
  GenerateInput,
  ProposedPrograms,
  RefineInput,
  TransformTextSource,
} from '../transform-text-source.js';
import { parseInstruction, planSteps } from './grammar.js';
import type { TransformPlan } from './plan.js';
import { programsForPlan } from './programs.js';
import { edgeCaseOf, renderStep } from './render-steps.js';

/**
 * The transform kind's source when no model key is set: a deterministic compiler for the
 * instruction grammar. Refining writes the plan as a specification whose steps are in the grammar's
 * own words; generating reads those steps back, so an edited specification is honoured as long as
 * it stays in the grammar. Text streams line by line, as a model's would.
 */
export class OfflineTransformSource implements TransformTextSource {
  readonly name = 'offline';

  async *refine(input: RefineInput): AsyncIterable<string> {
    const plan = parseInstruction(input.instruction, input.columns);
    yield* lines(specForPlan(plan, input, input.instruction));
  }

  async *generate(input: GenerateInput): AsyncIterable<string> {
    const [program] = programsForPlan(planOf(input.spec, input.columns));
    yield* lines(program ?? '');
  }

  async propose(input: GenerateInput & { count: number }): Promise<ProposedPrograms> {
    const programs = programsForPlan(planOf(input.spec, input.columns)).slice(0, Math.max(1, input.count));
    return {
      programs: programs.map((code, at) => ({ source: `offline-${at + 1}`, code })),
      notes: ['The offline compiler wrote the specification and the programs (no model key is set).'],
      calls: [],
    };
  }
}

function planOf(spec: string, columns: readonly DatasetColumn[]): TransformPlan {
  return planSteps(parseSpec(spec).steps, columns);
}

export function specForPlan(plan: TransformPlan, data: DatasetSketch, instruction: string): string {
  const edgeCases = [
    ...new Set(plan.steps.map(edgeCaseOf).filter((line): line is string => line !== undefined)),
  ];
  return renderSpec({
    objective: `${instruction.trim().replace(/\s+/g, ' ')} — on the ${data.rows} rows and ${data.columns.length} columns of the dataset.`,
    inputColumns: data.columns.map((column) => `\`${column.name}\` (${column.dtype})`),
    steps: plan.steps.map(renderStep),
    outputColumns: plan.output,
    edgeCases,
  });
}

async function* lines(text: string): AsyncIterable<string> {
  for (const line of text.split(/(?<=\n)/)) yield line;
}
