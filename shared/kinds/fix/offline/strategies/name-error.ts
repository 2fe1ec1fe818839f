import { boundNames, flatTokens, nameReferences } from '../program-names.js';
import {
  BUILTINS,
  COMMON_MODULES,
  moduleAttributes,
  PYTHON_KEYWORDS,
  STDLIB_MODULES,
  wellKnownMember,
} from '../python-names.js';
import { type Edit, importInsertionLine, type PySource } from '../python-source.js';
import type { Token } from '../python-tokens.js';
import { expansionsOf, nearestNames } from '../similarity.js';
import { distinct, type Fix, type FixContext, type FixStrategy, isOp, quote } from './strategy.js';

const NOT_DEFINED = /name '([^']+)' is not defined(?:\. Did you mean: '([^']+)'\?)?/;

/**
 * NameError: a misspelt name becomes the nearest name the program (or Python) defines; a
 * standard-library module or well-known member used without its import gets the import.
 */
export const nameErrorStrategy: FixStrategy = {
  name: 'name-error',
  propose(context) {
    if (context.error?.type !== 'NameError') return [];
    const match = NOT_DEFINED.exec(context.error.message);
    if (!match) return [];
    return fixesForUndefinedName(context, match[1] as string, match[2]);
  },
};

export function fixesForUndefinedName(context: FixContext, name: string, suggestion?: string): Fix[] {
  const { source } = context;
  const bound = boundNames(source);
  const fixes: Fix[] = [];

  const imports = importFixes(source, name);
  const programNames = [...bound.keys()].filter((n) => n !== name);
  const near = nearestNames(name, programNames);
  const nearBuiltins = nearestNames(
    name,
    [...BUILTINS].filter((n) => !n.startsWith('_')),
  );
  // The program's own names come first, abbreviations of them next, and builtins last: a misspelt
  // name is far more often one the author defined than a builtin that happens to be one letter off.
  const renames = [
    ...(suggestion ? [suggestion] : []),
    ...near.map((m) => m.name),
    ...expansionsOf(name, programNames),
    ...nearBuiltins.map((m) => m.name),
  ];
  // A stdlib import outranks a guessed spelling unless Python itself suggested one.
  if (!suggestion) fixes.push(...imports);
  for (const target of renames) {
    // A name bound in another function is a scope problem; swapping in a builtin hides it.
    if (bound.has(name) && !bound.has(target)) continue;
    const fix = renameFix(context, bound, name, target);
    if (fix) fixes.push(fix);
  }
  if (suggestion) fixes.push(...imports);
  return distinct(source.code, fixes);
}

function renameFix(
  context: FixContext,
  bound: Map<string, Token[]>,
  name: string,
  target: string,
): Fix | undefined {
  const { source } = context;
  const references = nameReferences(source, name);
  const logical = context.line === undefined ? undefined : source.logicalAt(context.line);
  // When the name is bound somewhere (another scope, later on), only the failing line is wrong.
  const chosen = bound.has(name)
    ? references.filter((t) => logical && t.line >= logical.firstLine && t.line <= logical.lastLine)
    : references;
  if (chosen.length === 0) return undefined;
  const fixed = source.apply(chosen.map((t) => ({ start: t.start, end: t.end, text: target })));
  const where = chosen.length === 1 ? `line ${chosen[0]?.line}` : `${chosen.length} places`;
  return {
    code: fixed,
    title: `Use ${quote(target)} instead of ${quote(name)}`,
    rationale: `${quote(name)} is not defined; ${quote(target)} is ${
      bound.has(target) ? 'defined in the program' : 'a Python builtin'
    } and is the closest spelling (changed in ${where}).`,
  };
}

/** Attributes the program reads from `name` (`name.attr`). */
function attributesUsedOn(source: PySource, name: string): string[] {
  const flat = flatTokens(source);
  const used: string[] = [];
  flat.forEach((t, i) => {
    const attr = flat[i + 2];
    if (t.kind === 'name' && t.text === name && !isOp(flat[i - 1], '.') && isOp(flat[i + 1], '.') && attr) {
      used.push(attr.text);
    }
  });
  return used;
}

function importFixes(source: PySource, name: string): Fix[] {
  if (PYTHON_KEYWORDS.has(name)) return [];
  const used = attributesUsedOn(source, name);
  const fixes: { fix: Fix; fits: boolean }[] = [];
  const moduleAttrs = moduleAttributes(name);
  if (STDLIB_MODULES.has(name) && used.length > 0) {
    const fits =
      moduleAttrs === undefined ? COMMON_MODULES.has(name) : used.every((a) => moduleAttrs.includes(a));
    fixes.push({
      fits,
      fix: {
        code: addImport(source, `import ${name}`),
        title: `Import ${quote(name)}`,
        rationale: `${quote(name)} is a standard-library module the program uses without importing it.`,
      },
    });
  }
  const member = wellKnownMember(name);
  if (member) {
    const attrs = member.attributes;
    const fits = used.length === 0 || (attrs !== undefined && used.every((a) => attrs.includes(a)));
    fixes.push({
      fits,
      fix: {
        code: addImport(source, `from ${member.module} import ${name}`),
        title: `Import ${quote(name)} from ${quote(member.module)}`,
        rationale: `${quote(name)} lives in the standard-library module ${quote(member.module)} and was never imported.`,
      },
    });
  }
  // Imports whose members match how the program uses the name come first; a misfit is dropped
  // when a fitting one exists, and otherwise only kept for common modules.
  const fitting = fixes.filter((f) => f.fits);
  if (fitting.length > 0) return fitting.map((f) => f.fix);
  return fixes.filter((f) => COMMON_MODULES.has(name) || f.fix.title.includes(' from ')).map((f) => f.fix);
}

/** The program with `statement` added as a module-level import. */
export function addImport(source: PySource, statement: string): string {
  const line = importInsertionLine(source);
  const edit: Edit = source.insertLinesBefore(line, [statement]);
  return source.apply([edit]);
}

/**
 * Names the program reads but never binds, found without running it. Used when no error was given;
 * only names with a convincing fix are reported, because a scope-blind scan cannot be sure.
 */
export function undefinedNames(source: PySource): Token[] {
  const codeTokens = source.codeTokens;
  if (codeTokens.some((t, i) => t.text === 'import' && isOp(codeTokens[i + 1], '*'))) return [];
  const bound = boundNames(source);
  const seen = new Set<string>();
  const result: Token[] = [];
  for (const token of flatTokens(source)) {
    const name = token.text;
    if (token.kind !== 'name' || seen.has(name) || bound.has(name) || BUILTINS.has(name)) continue;
    if (PYTHON_KEYWORDS.has(name) || name.startsWith('__')) continue;
    const references = nameReferences(source, name);
    if (references.length === 0) continue;
    seen.add(name);
    result.push(references[0] as Token);
  }
  return result;
}
