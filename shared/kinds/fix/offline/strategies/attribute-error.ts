import { allProgramAttributes, attributeReferences, classMembers } from '../program-names.js';
import { moduleAttributes, typeAttributes } from '../python-names.js';
import { nearestNames } from '../similarity.js';
import { distinct, type Fix, type FixContext, type FixStrategy, quote } from './strategy.js';

const OBJECT = /^'([\w.]+)' object has no attribute '(\w+)'/;
const MODULE = /^module '([\w.]+)' has no attribute '(\w+)'/;
const TYPE_OBJECT = /^type object '([\w.]+)' has no attribute '(\w+)'/;
const SUGGESTION = /Did you mean: '(\w+)'\?/;

/**
 * AttributeError: the attribute becomes the nearest one the object really has — from CPython's
 * own name lists for builtin types and common modules, from the class body for the program's
 * classes.
 */
export const attributeErrorStrategy: FixStrategy = {
  name: 'attribute-error',
  propose(context) {
    if (context.error?.type !== 'AttributeError') return [];
    const message = context.error.message;
    const match = OBJECT.exec(message) ?? MODULE.exec(message) ?? TYPE_OBJECT.exec(message);
    if (!match) return [];
    const owner = match[1] as string;
    const attribute = match[2] as string;
    if (owner === 'NoneType') return [];
    const isModule = MODULE.test(message);
    const pool = isModule ? moduleAttributes(owner) : (typeAttributes(owner) ?? userMembers(context, owner));
    if (!pool) return [];
    const suggestion = SUGGESTION.exec(message)?.[1];
    const targets = [
      ...(suggestion ? [suggestion] : []),
      ...nearestNames(attribute, pool).map((m) => m.name),
    ];
    const fixes: Fix[] = [];
    for (const target of targets) {
      const fix = renameAccess(context, attribute, target, owner, isModule);
      if (fix) fixes.push(fix);
    }
    // For the program's own classes the definition may be the misspelt side.
    const own = !isModule && typeAttributes(owner) === undefined;
    const first = targets[0];
    if (own && first) {
      const fix = renameDefinition(context, first, attribute, owner);
      if (fix) fixes.push(fix);
    }
    return distinct(context.source.code, fixes);
  },
};

function userMembers(context: FixContext, owner: string): string[] {
  const className = owner.split('.').pop() ?? owner;
  return [...(classMembers(context.source, className) ?? allProgramAttributes(context.source))];
}

function renameAccess(
  context: FixContext,
  attribute: string,
  target: string,
  owner: string,
  isModule: boolean,
): Fix | undefined {
  const { source } = context;
  const references = attributeReferences(source, attribute);
  const logical = context.line === undefined ? undefined : source.logicalAt(context.line);
  const onLine = references.filter(
    (t) => logical && t.line >= logical.firstLine && t.line <= logical.lastLine,
  );
  // An attribute the program never defines is misspelt wherever it is read.
  const definedSomewhere = allProgramAttributes(source).has(attribute);
  const chosen = definedSomewhere || isModule ? (onLine.length > 0 ? onLine : []) : references;
  if (chosen.length === 0) return undefined;
  return {
    code: source.apply(chosen.map((t) => ({ start: t.start, end: t.end, text: target }))),
    title: `Use ${quote(`.${target}`)} instead of ${quote(`.${attribute}`)}`,
    rationale: `${isModule ? 'Module' : 'Type'} ${quote(owner)} has no attribute ${quote(attribute)}; ${quote(
      target,
    )} is the closest one it has.`,
  };
}

function renameDefinition(
  context: FixContext,
  defined: string,
  wanted: string,
  owner: string,
): Fix | undefined {
  const { source } = context;
  const references = attributeReferences(source, defined);
  // A method would need its `def` renamed too; only plain attributes are renamed here.
  const isMethod = source.logical.some((l) =>
    l.tokens.some((t, i) => t.text === 'def' && l.tokens[i + 1]?.text === defined),
  );
  // Rename the definition only when the program mostly uses the other spelling.
  const wantedUses = attributeReferences(source, wanted).length;
  if (references.length === 0 || isMethod || wantedUses < references.length) return undefined;
  return {
    code: source.apply(references.map((t) => ({ start: t.start, end: t.end, text: wanted }))),
    title: `Rename ${quote(`.${defined}`)} to ${quote(`.${wanted}`)}`,
    rationale: `The program reads ${quote(wanted)} from ${quote(owner)} but defines ${quote(
      defined,
    )}; renaming the definition keeps the name the callers expect.`,
  };
}
