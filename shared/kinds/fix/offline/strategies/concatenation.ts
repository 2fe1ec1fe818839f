import type { Edit, PySource } from '../python-source.js';
import { endsOperand, operandEnd, spanText, type Token } from '../python-tokens.js';
import { termStart } from './expression-edits.js';
import { distinct, type Fix, type FixStrategy, isOp, isWord, markedSpan, quote } from './strategy.js';

const STR_LEFT = /^can only concatenate str \(not "(\w+)"\) to str/;
const NUMBER_LEFT = /^unsupported operand type\(s\) for \+=?: '(int|float)' and 'str'/;
const LIST_LEFT = /^can only concatenate list \(not "(\w+)"\) to list/;

const TEXT_CALLS = ['str', 'input', 'repr', 'chr', 'format'];
const TEXT_METHODS = [
  'format',
  'join',
  'upper',
  'lower',
  'strip',
  'title',
  'capitalize',
  'replace',
  'rstrip',
  'lstrip',
];
const NUMBER_CALLS = ['len', 'sum', 'int', 'float', 'round', 'abs', 'max', 'min', 'ord', 'pow'];

type Guess = 'str' | 'number' | 'unknown';

/** One operand of a `+` chain (token indexes, inclusive). */
interface Operand {
  first: number;
  last: number;
  text: string;
  guess: Guess;
}

/**
 * TypeError from `+` between text and numbers: convert the numeric side with `str(…)`, write the
 * expression as an f-string, or — when the text holds a number (from `input()`) — convert it with
 * `int(…)`.
 */
export const concatenationStrategy: FixStrategy = {
  name: 'concatenation',
  propose(context) {
    const { source, line, error } = context;
    if (error?.type !== 'TypeError' || line === undefined) return [];
    const strLeft = STR_LEFT.exec(error.message);
    const numberLeft = NUMBER_LEFT.exec(error.message);
    const listLeft = LIST_LEFT.exec(error.message);
    if (!strLeft && !numberLeft && !listLeft) return [];
    const logical = source.logicalAt(line);
    if (!logical) return [];
    const inputs = namesFromInput(source);
    const marked = markedSpan(context);
    const chains = chainsOf(source, logical.tokens, inputs).sort(
      (a, b) => score(b, logical.tokens, marked) - score(a, logical.tokens, marked),
    );
    const fixes: Fix[] = [];
    for (const chain of chains.slice(0, 2)) {
      if (listLeft) fixes.push(...listFixes(source, logical.tokens, chain));
      else if (strLeft)
        fixes.push(...textFixes(source, logical.tokens, chain, strLeft[1] as string, 'text-left'));
      else if (numberLeft)
        fixes.push(...textFixes(source, logical.tokens, chain, numberLeft[1] as string, 'number-left'));
    }
    return distinct(source.code, fixes);
  },
};

function score(chain: Operand[], tokens: readonly Token[], marked?: { start: number; end: number }): number {
  const hasText = chain.some((o) => o.guess === 'str') ? 1 : 0;
  const first = tokens[chain[0]?.first ?? 0];
  const inMark = marked && first && first.start >= marked.start && first.start < marked.end ? 2 : 0;
  return hasText + inMark;
}

/** Names assigned straight from `input(…)` somewhere in the program: text that may hold a number. */
function namesFromInput(source: PySource): Set<string> {
  const names = new Set<string>();
  for (const logical of source.logical) {
    const [target, eq, call] = logical.tokens;
    if (target?.kind === 'name' && isOp(eq, '=') && isWord(call, 'input')) names.add(target.text);
  }
  return names;
}

function guess(tokens: readonly Token[], first: number, last: number, inputs: Set<string>): Guess {
  const head = tokens[first];
  if (!head) return 'unknown';
  if (tokens.slice(first, last + 1).every((t) => t.kind === 'string')) {
    return /^[a-z]*b/i.test(head.text) ? 'unknown' : 'str';
  }
  if (first === last && head.kind === 'number') return 'number';
  if (first === last && head.kind === 'name' && inputs.has(head.text)) return 'str';
  if (head.kind === 'name' && isOp(tokens[first + 1], '(')) {
    if (TEXT_CALLS.includes(head.text)) return 'str';
    if (NUMBER_CALLS.includes(head.text)) return 'number';
  }
  // `x.upper()`, `', '.join(…)`, `'{}'.format(…)`: a method that returns text.
  const callee = isOp(tokens[last], ')') ? lastCallee(tokens, first, last) : undefined;
  if (callee && TEXT_METHODS.includes(callee)) return 'str';
  return 'unknown';
}

function lastCallee(tokens: readonly Token[], first: number, last: number): string | undefined {
  let level = 0;
  for (let i = last; i >= first; i -= 1) {
    const t = tokens[i] as Token;
    if (isOp(t, ')', ']')) level += 1;
    else if (isOp(t, '(', '[')) {
      level -= 1;
      if (level === 0) return tokens[i - 1]?.kind === 'name' ? tokens[i - 1]?.text : undefined;
    }
  }
  return undefined;
}

/** Maximal `a + b + c` chains on the line (also `x += y` as the chain `x`, `y`). */
function chainsOf(source: PySource, tokens: readonly Token[], inputs: Set<string>): Operand[][] {
  const chains: Operand[][] = [];
  const used = new Set<number>();
  const operand = (first: number, last: number): Operand => ({
    first,
    last,
    text: spanText(source.code, tokens, first, last),
    guess: guess(tokens, first, last, inputs),
  });
  tokens.forEach((t, i) => {
    if (isOp(t, '+=') && i > 0) {
      const end = operandEnd(tokens, i + 1);
      if (end === tokens.length - 1) chains.push([operand(0, i - 1), operand(i + 1, end)]);
      return;
    }
    if (!isOp(t, '+') || used.has(i) || !endsOperand(tokens[i - 1])) return;
    const chain = [operand(termStart(tokens, i), i - 1)];
    let op = i;
    for (;;) {
      const end = termEnd(tokens, op + 1);
      if (end < 0) return;
      chain.push(operand(op + 1, end));
      used.add(op);
      if (!isOp(tokens[end + 1], '+')) break;
      op = end + 1;
    }
    // `a + b - c` is `(a + b) - c`; rewriting its pieces would change the grouping.
    const after = tokens[(chain[chain.length - 1]?.last ?? 0) + 1];
    if (isOp(tokens[(chain[0]?.first ?? 0) - 1], '-') || isOp(after, '-')) return;
    chains.push(chain);
  });
  return chains;
}

/** Last index of a multiplicative term starting at `index`. */
function termEnd(tokens: readonly Token[], index: number): number {
  let end = operandEnd(tokens, index);
  while (end >= 0 && isOp(tokens[end + 1], '*', '/', '//', '%', '@')) end = operandEnd(tokens, end + 2);
  return end;
}

const wrap = (operands: readonly Operand[], tokens: readonly Token[], fn: string): Edit[] =>
  operands.map((o) => ({
    start: tokens[o.first]?.start ?? 0,
    end: tokens[o.last]?.end ?? 0,
    text: `${fn}(${o.text})`,
  }));

function textFixes(
  source: PySource,
  tokens: readonly Token[],
  chain: Operand[],
  type: string,
  shape: 'text-left' | 'number-left',
): Fix[] {
  const hasLiteral = chain.some((o) => o.guess === 'str' && tokens[o.first]?.kind === 'string');
  const toText = chain.filter(
    (o, i) => o.guess === 'number' || (o.guess === 'unknown' && (i > 0 || shape === 'number-left')),
  );
  const numeric = type === 'float' ? 'float' : 'int';
  const toNumber = chain.filter((o, i) =>
    shape === 'number-left'
      ? i > 0 && o.guess !== 'number' && !(tokens[o.first]?.kind === 'string')
      : o.guess === 'str' && tokens[o.first]?.kind !== 'string',
  );
  const expression = chain.map((o) => o.text).join(' + ');

  const fixes: { fix: Fix; rank: number }[] = [];
  if (toText.length > 0) {
    fixes.push({
      rank: hasLiteral ? 0 : 2,
      fix: {
        code: source.apply(wrap(toText, tokens, 'str')),
        title: `Convert ${toText.map((o) => quote(o.text)).join(', ')} with ${quote('str()')}`,
        rationale: `${quote(expression)} adds text and a ${type}; converting the ${type} makes it text concatenation.`,
      },
    });
  }
  const fString = asFString(chain, tokens);
  if (fString !== undefined && hasLiteral) {
    const first = tokens[chain[0]?.first ?? 0] as Token;
    const last = tokens[chain[chain.length - 1]?.last ?? 0] as Token;
    fixes.push({
      rank: 1,
      fix: {
        code: source.apply([{ start: first.start, end: last.end, text: fString }]),
        title: 'Build the text with an f-string',
        rationale: `An f-string formats each value, so ${quote(expression)} no longer adds text to a ${type}.`,
      },
    });
  }
  if (toNumber.length > 0) {
    fixes.push({
      rank: hasLiteral ? 3 : 0,
      fix: {
        code: source.apply(wrap(toNumber, tokens, numeric)),
        title: `Convert ${toNumber.map((o) => quote(o.text)).join(', ')} with ${quote(`${numeric}()`)}`,
        rationale: `${toNumber.map((o) => quote(o.text)).join(', ')} holds a number as text; converting it makes ${quote(
          expression,
        )} arithmetic.`,
      },
    });
  }
  return fixes.sort((a, b) => a.rank - b.rank).map((f) => f.fix);
}

function listFixes(source: PySource, tokens: readonly Token[], chain: Operand[]): Fix[] {
  const right = chain.slice(1).filter((o) => !isOp(tokens[o.first], '['));
  if (right.length === 0) return [];
  return [
    {
      code: source.apply(
        right.map((o) => ({
          start: tokens[o.first]?.start ?? 0,
          end: tokens[o.last]?.end ?? 0,
          text: `[${o.text}]`,
        })),
      ),
      title: `Add ${right.map((o) => quote(o.text)).join(', ')} as a list`,
      rationale: 'A list can only be extended by another list; the item is wrapped in one.',
    },
  ];
}

/** The chain as one f-string, or undefined when a piece cannot go into one safely. */
function asFString(chain: Operand[], tokens: readonly Token[]): string | undefined {
  const firstLiteral = chain.map((o) => tokens[o.first]).find((t) => t?.kind === 'string');
  const quoteChar = /["']/.exec(firstLiteral?.text ?? '"')?.[0] ?? '"';
  let body = '';
  for (const o of chain) {
    const pieces = tokens.slice(o.first, o.last + 1);
    if (o.guess === 'str' && pieces.every((t) => t.kind === 'string')) {
      for (const piece of pieces) {
        const match = /^([a-zA-Z]*)("""|'''|"|')([\s\S]*)\2$/.exec(piece.text);
        if (!match || /[rb]/i.test(match[1] as string) || (match[2] as string).length === 3) return undefined;
        let text = match[3] as string;
        if (!/f/i.test(match[1] as string)) text = text.replace(/[{}]/g, (b) => b + b);
        if (match[2] !== quoteChar)
          text = text.replace(new RegExp(`(?<!\\\\)${quoteChar}`, 'g'), `\\${quoteChar}`);
        body += text;
      }
      continue;
    }
    // Before Python 3.12 a replacement field may not contain the quote, a backslash or `#`.
    if (/["'\\#]/.test(o.text) || /[\r\n]/.test(o.text)) return undefined;
    body += `{${o.text}}`;
  }
  return `f${quoteChar}${body}${quoteChar}`;
}
