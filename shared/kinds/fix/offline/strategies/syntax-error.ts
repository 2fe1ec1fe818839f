import { PySource } from '../python-source.js';
import {
  closerFor,
  isCloser,
  isOpener,
  type LogicalLine,
  matchingBracket,
  type Token,
} from '../python-tokens.js';
import {
  distinct,
  type Fix,
  type FixContext,
  type FixStrategy,
  isOp,
  isWord,
  markedSpan,
  quote,
} from './strategy.js';

const HEADERS = new Set([
  'def',
  'class',
  'if',
  'elif',
  'else',
  'for',
  'while',
  'try',
  'except',
  'finally',
  'with',
]);
const NEVER_CLOSED = /^'([([{])' was never closed/;
const UNMATCHED = /^unmatched '([)\]}])'/;
const MISMATCH = /^closing parenthesis '([)\]}])' does not match opening parenthesis '([([{])'/;
const CONTINUES = new Set([
  ',',
  '(',
  '[',
  '{',
  '+',
  '-',
  '*',
  '/',
  '//',
  '%',
  '**',
  'and',
  'or',
  'not',
  'in',
  '=',
  '==',
  '.',
]);

/**
 * SyntaxError: a header without its colon, a bracket never closed, one closed too often or by
 * the wrong kind, Python 2 `print`, and `=` where a condition wants `==`. After the reported
 * error is fixed, further missing colons and brackets that a static scan finds are fixed too,
 * because Python reports only the first.
 */
export const syntaxErrorStrategy: FixStrategy = {
  name: 'syntax-error',
  propose(context) {
    const { error } = context;
    if (error?.type !== 'SyntaxError' || context.line === undefined) return [];
    const fixes = reportedFixes(context)
      .map((fix) => finishStatically(fix))
      .filter((fix) => looksParseable(fix.code));
    return distinct(context.source.code, fixes);
  },
};

/** Missing colons and unbalanced brackets found without an error message. */
export function staticSyntaxFixes(source: PySource): Fix[] {
  const fixes: Fix[] = [];
  for (const logical of source.logical) {
    const fix = colonFix(source, logical);
    if (fix) {
      fixes.push(fix);
      break;
    }
  }
  const tokens = source.codeTokens;
  const unclosed = tokens.findIndex(
    (t, i) => isOpener(t.text) && t.kind === 'op' && matchingBracket(tokens, i) < 0,
  );
  if (unclosed >= 0) fixes.push(...closeBracketFixes(source, tokens, unclosed));
  const extra = tokens.findIndex(
    (t, i) => isCloser(t.text) && t.kind === 'op' && matchingBracket(tokens, i) < 0,
  );
  if (extra >= 0) fixes.push(...removeCloserFixes(source, tokens[extra] as Token));
  return distinct(
    source.code,
    fixes.map(finishStatically).filter((fix) => looksParseable(fix.code)),
  );
}

/**
 * A cheap check that a fix did not leave the program broken in a way the scanner can see: every
 * bracket closed by its partner, and no line indented deeper than the one before it unless that
 * one opens a block.
 */
function looksParseable(code: string): boolean {
  const source = new PySource(code);
  let previous: LogicalLine | undefined;
  for (const logical of source.logical) {
    const deeper =
      previous && source.indentOf(logical.firstLine).length > source.indentOf(previous.firstLine).length;
    if (deeper && !isOp(previous?.tokens[previous.tokens.length - 1], ':')) return false;
    previous = logical;
  }
  const stack: string[] = [];
  for (const t of source.codeTokens) {
    if (t.kind !== 'op') continue;
    if (isOpener(t.text)) stack.push(closerFor(t.text));
    else if (isCloser(t.text) && stack.pop() !== t.text) return false;
  }
  return stack.length === 0;
}

function reportedFixes(context: FixContext): Fix[] {
  const { source, error } = context;
  const line = context.line as number;
  const message = error?.message ?? '';
  const tokens = source.codeTokens;
  const marked = markedSpan(context);
  const markedToken = (predicate: (t: Token) => boolean) =>
    tokens.findIndex(
      (t) =>
        predicate(t) &&
        marked !== undefined &&
        t.start >= marked.focusStart &&
        t.start < Math.max(marked.focusEnd, marked.focusStart + 1),
    );

  if (message.startsWith("expected ':'") || message === 'invalid syntax') {
    const fixes: Fix[] = [];
    for (const l of [line, line - 1, line + 1, line - 2]) {
      const logical = source.logicalAt(l);
      const fix = logical ? colonFix(source, logical) : undefined;
      if (fix) fixes.push(fix);
    }
    if (fixes.length > 0 || message.startsWith('expected')) return fixes;
  }
  const neverClosed = NEVER_CLOSED.exec(message);
  if (neverClosed || /unexpected EOF/.test(message)) {
    let opener = markedToken((t) => t.kind === 'op' && t.text === (neverClosed?.[1] ?? ''));
    if (opener < 0)
      opener = tokens.findIndex(
        (t, i) => t.kind === 'op' && isOpener(t.text) && matchingBracket(tokens, i) < 0,
      );
    return opener < 0 ? [] : closeBracketFixes(source, tokens, opener);
  }
  const unmatched = UNMATCHED.exec(message);
  if (unmatched) {
    let closer = markedToken((t) => t.kind === 'op' && t.text === unmatched[1]);
    if (closer < 0)
      closer = tokens.findIndex(
        (t, i) => t.line === line && t.text === unmatched[1] && matchingBracket(tokens, i) < 0,
      );
    return closer < 0 ? [] : removeCloserFixes(source, tokens[closer] as Token);
  }
  const mismatch = MISMATCH.exec(message);
  if (mismatch) {
    let closer = markedToken((t) => t.kind === 'op' && t.text === mismatch[1]);
    if (closer < 0) closer = tokens.findIndex((t) => t.line === line && t.text === mismatch[1]);
    const token = tokens[closer];
    if (!token) return [];
    const wanted = closerFor(mismatch[2] as string);
    return [
      {
        code: source.apply([{ start: token.start, end: token.end, text: wanted }]),
        title: `Close ${quote(mismatch[2] as string)} with ${quote(wanted)}`,
        rationale: `Line ${token.line} closes ${quote(mismatch[2] as string)} with ${quote(mismatch[1] as string)}; the closer must match.`,
      },
      {
        code: source.apply([{ start: token.start, end: token.start, text: wanted }]),
        title: `Insert the missing ${quote(wanted)}`,
        rationale: `The ${quote(mismatch[2] as string)} opened before ${quote(mismatch[1] as string)} on line ${token.line} was never closed.`,
      },
    ];
  }
  if (message.startsWith("Missing parentheses in call to 'print'")) return printFixes(source, line);
  if (/Maybe you meant '==' or ':=' instead of '='/.test(message)) return equalityFixes(source, line);
  return [];
}

function colonFix(source: PySource, logical: LogicalLine): Fix | undefined {
  const tokens = logical.tokens;
  const head = tokens[isWord(tokens[0], 'async') ? 1 : 0];
  if (head?.kind !== 'name' || !HEADERS.has(head.text)) return undefined;
  const base = head.depth;
  let lambdas = 0;
  for (const t of tokens) {
    if (t.depth !== base) continue;
    if (isWord(t, 'lambda')) lambdas += 1;
    if (isOp(t, ':')) {
      if (lambdas === 0) return undefined;
      lambdas -= 1;
    }
  }
  // An unclosed bracket swallows later lines into this one; that is a bracket problem.
  if (tokens.some((t, i) => t.kind === 'op' && isOpener(t.text) && matchingBracket(tokens, i) < 0))
    return undefined;
  const end = source.logicalEnd(logical);
  return {
    code: source.apply([{ start: end, end, text: ':' }]),
    title: `Add the missing colon on line ${logical.lastLine}`,
    rationale: `A ${quote(head.text)} header ends with a colon before its block.`,
  };
}

/** Code tokens of one physical line. */
const onLine = (tokens: readonly Token[], line: number) => tokens.filter((t) => t.line === line);

function closeBracketFixes(source: PySource, tokens: readonly Token[], openerIndex: number): Fix[] {
  const opener = tokens[openerIndex] as Token;
  const firstLine = opener.line;
  const statementIndent = source.indentOf(source.logicalAt(firstLine)?.firstLine ?? firstLine).length;
  const stack: string[] = [];
  const positions: { line: number; offset: number; closers: string; continues: boolean }[] = [];
  let line = firstLine;
  for (let i = openerIndex; i < tokens.length; ) {
    const lineTokens = onLine(tokens, line).filter((t) => t.start >= opener.start);
    for (const t of lineTokens) {
      if (t.kind !== 'op') continue;
      if (isOpener(t.text)) stack.push(t.text);
      else if (isCloser(t.text)) stack.pop();
    }
    i += lineTokens.length;
    const last = lineTokens[lineTokens.length - 1];
    if (stack.length === 0) break;
    if (last) {
      // `if (a > 1:` — the bracket closes before the header's colon.
      const beforeColon =
        isOp(last, ':') && lineTokens.length > 1 && HEADERS.has(onLine(tokens, line)[0]?.text ?? '');
      positions.push({
        line,
        offset: beforeColon ? last.start : last.end,
        closers: [...stack].reverse().map(closerFor).join(''),
        continues: CONTINUES.has(last.text),
      });
      if (beforeColon) break;
    }
    // The bracket's content ends before the next line that starts a statement of its own.
    const next = line + 1;
    const nextTokens = onLine(tokens, next);
    if (next > source.lineCount || positions.length >= 4) break;
    if (
      nextTokens.length > 0 &&
      source.indentOf(next).length <= statementIndent &&
      !isCloser(nextTokens[0]?.text ?? '')
    )
      break;
    line = next;
  }
  if (positions.length === 0) return [];
  const ordered = positions[0]?.continues ? [...positions].reverse() : positions;
  // `(1 +)` is no expression; a trailing comma or an empty call is.
  const viable = ordered.filter(
    (p) => !p.continues || /[,([{]$/.test(source.code.slice(p.offset - 1, p.offset)),
  );
  return viable.slice(0, 3).map((p) => ({
    code: source.apply([{ start: p.offset, end: p.offset, text: p.closers }]),
    title: `Close ${quote(opener.text)} on line ${p.line}`,
    rationale: `The ${quote(opener.text)} opened on line ${firstLine} was never closed; ${quote(p.closers)} goes where its expression ends.`,
  }));
}

function removeCloserFixes(source: PySource, closer: Token): Fix[] {
  return [
    {
      code: source.apply([{ start: closer.start, end: closer.end, text: '' }]),
      title: `Remove the extra ${quote(closer.text)} on line ${closer.line}`,
      rationale: `Nothing on line ${closer.line} or before it is left open for this ${quote(closer.text)} to close.`,
    },
  ];
}

function printFixes(source: PySource, line: number): Fix[] {
  const logical = source.logicalAt(line);
  const tokens = logical?.tokens ?? [];
  const index = tokens.findIndex((t) => isWord(t, 'print'));
  const print = tokens[index];
  const last = tokens[tokens.length - 1];
  if (!logical || !print || !last || index < 0) return [];
  const argsStart = tokens[index + 1];
  if (!argsStart) return [];
  // Python 2's trailing comma meant "no newline".
  const trailingComma = isOp(last, ',');
  const argsEnd = trailingComma ? (tokens[tokens.length - 2]?.end ?? last.start) : last.end;
  const args = source.code.slice(argsStart.start, argsEnd);
  return [
    {
      code: source.apply([
        {
          start: print.end,
          end: last.end,
          text: `(${args}${trailingComma ? ", end=' '" : ''})`,
        },
      ]),
      title: `Call ${quote('print(...)')} on line ${line}`,
      rationale: `In Python 3 ${quote('print')} is a function; its arguments go in parentheses.`,
    },
  ];
}

function equalityFixes(source: PySource, line: number): Fix[] {
  const logical = source.logicalAt(line);
  const tokens = logical?.tokens ?? [];
  const base = tokens[0]?.depth ?? 0;
  const eq = tokens.find((t) => isOp(t, '=') && t.depth === base);
  if (!eq) return [];
  return [
    {
      code: source.apply([{ start: eq.start, end: eq.end, text: '==' }]),
      title: `Compare with ${quote('==')} on line ${line}`,
      rationale: `${quote('=')} assigns; a condition compares with ${quote('==')}.`,
    },
  ];
}

/** Applies further static syntax fixes (first of each) so one candidate can clear several errors. */
function finishStatically(fix: Fix): Fix {
  let current = fix;
  for (let round = 0; round < 5; round += 1) {
    const source = new PySource(current.code);
    const next = staticSyntaxFixesOnce(source);
    if (!next) return current;
    current = {
      code: next.code,
      title: current.title,
      rationale: `${current.rationale} Also: ${next.title.toLowerCase()}.`,
    };
  }
  return current;
}

function staticSyntaxFixesOnce(source: PySource): Fix | undefined {
  for (const logical of source.logical) {
    const fix = colonFix(source, logical);
    if (fix) return fix;
  }
  const tokens = source.codeTokens;
  const unclosed = tokens.findIndex(
    (t, i) => t.kind === 'op' && isOpener(t.text) && matchingBracket(tokens, i) < 0,
  );
  if (unclosed >= 0) return closeBracketFixes(source, tokens, unclosed)[0];
  return undefined;
}
