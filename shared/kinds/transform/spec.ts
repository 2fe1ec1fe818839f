import { InvalidRequestError } from '../../domain/errors.js';

/** A transform's specification: the five sections every source writes, the judge's checks come from. */
export interface TransformSpecSections {
  objective: string;
  inputColumns: string[];
  steps: string[];
  outputColumns: Array<{ name: string; dtype?: string }>;
  edgeCases: string[];
}

const SECTIONS = [
  ['objective', 'Objective'],
  ['inputColumns', 'Input columns'],
  ['steps', 'Transformation steps'],
  ['outputColumns', 'Output columns'],
  ['edgeCases', 'Edge cases'],
] as const;

export function renderSpec(spec: TransformSpecSections): string {
  return [
    '## Objective',
    '',
    spec.objective,
    '',
    '## Input columns',
    '',
    ...spec.inputColumns.map((column) => `- ${column}`),
    '',
    '## Transformation steps',
    '',
    ...spec.steps.map((step, at) => `${at + 1}. ${step}`),
    '',
    '## Output columns',
    '',
    ...spec.outputColumns.map((column) => `- \`${column.name}\`${column.dtype ? ` (${column.dtype})` : ''}`),
    '',
    '## Edge cases',
    '',
    ...(spec.edgeCases.length > 0 ? spec.edgeCases.map((line) => `- ${line}`) : ['- None beyond the steps.']),
    '',
  ].join('\n');
}

/**
 * Reads the five sections back from markdown, as a person or a model may write it: headings of any
 * level or bold lines, `1.` or `-` lists, backticks around names. A missing section is refused,
 * naming it.
 */
export function parseSpec(text: string): TransformSpecSections {
  const found = new Map<string, string[]>();
  let current: string | undefined;
  for (const line of text.replace(/\r\n/g, '\n').split('\n')) {
    const heading = /^\s*(?:#{1,6}\s*|\*\*)?\s*([A-Za-z ]+?)\s*:?\s*(?:\*\*)?\s*:?\s*$/.exec(line);
    const section = heading
      ? SECTIONS.find(([, title]) => title.toLowerCase() === heading[1]?.toLowerCase())
      : undefined;
    if (section) {
      current = section[0];
      found.set(current, []);
      continue;
    }
    if (current !== undefined) found.get(current)?.push(line);
  }
  for (const [key, title] of SECTIONS) {
    if (!found.has(key)) throw new InvalidRequestError(`the specification has no "${title}" section`, 'spec');
  }
  const items = (key: string) =>
    (found.get(key) ?? [])
      .map((line) => /^\s*(?:[-*+]|\d+[.)])\s+(.*)$/.exec(line)?.[1]?.trim())
      .filter((line): line is string => line !== undefined && line !== '');
  return {
    objective: (found.get('objective') ?? []).join('\n').trim(),
    inputColumns: items('inputColumns'),
    steps: items('steps'),
    outputColumns: items('outputColumns').map((line) => {
      const match = /^`?([^`(]+?)`?\s*(?:\(([^)]*)\))?(?:\s*[:—–-].*)?$/.exec(line);
      return { name: (match?.[1] ?? line).trim(), ...(match?.[2] ? { dtype: match[2].trim() } : {}) };
    }),
    edgeCases: items('edgeCases'),
  };
}
