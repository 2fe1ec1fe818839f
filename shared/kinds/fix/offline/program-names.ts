import type { PySource } from './python-source.js';
import { KEYWORDS, type LogicalLine, matchingBracket, type Token } from './python-tokens.js';

const ASSIGNMENT_OPERATORS = new Set([
  '=',
  '+=',
  '-=',
  '*=',
  '/=',
  '//=',
  '%=',
  '**=',
  '&=',
  '|=',
  '^=',
  '>>=',
  '<<=',
  '@=',
]);

const isOp = (token: Token | undefined, ...texts: string[]): boolean =>
  token?.kind === 'op' && texts.includes(token.text);
const isKeyword = (token: Token | undefined, text: string): boolean =>
  token?.kind === 'name' && token.text === text;
const isIdentifier = (token: Token | undefined): token is Token =>
  token?.kind === 'name' && !KEYWORDS.has(token.text);

/** Every name the program binds somewhere (scope-blind: good enough to suggest spellings). */
export function boundNames(source: PySource): Map<string, Token[]> {
  const bound = new Map<string, Token[]>();
  const bind = (token: Token | undefined) => {
    if (!isIdentifier(token)) return;
    const list = bound.get(token.text) ?? [];
    list.push(token);
    bound.set(token.text, list);
  };
  for (const logical of source.logical) bindingsOf(logical, bind);
  return bound;
}

function bindingsOf(logical: LogicalLine, bind: (token: Token | undefined) => void): void {
  const tokens = logical.tokens;
  const base = tokens[0]?.depth ?? 0;
  const first = tokens[0];
  const start = isKeyword(first, 'async') ? 1 : 0;
  const head = tokens[start];

  if (isKeyword(head, 'def') || isKeyword(head, 'class')) {
    bind(tokens[start + 1]);
    if (isKeyword(head, 'def') && isOp(tokens[start + 2], '(')) {
      const close = matchingBracket(tokens, start + 2);
      for (let i = start + 3; i < (close < 0 ? tokens.length : close); i += 1) {
        const t = tokens[i];
        if (t?.depth !== base + 1 || !isIdentifier(t)) continue;
        if (isOp(tokens[i - 1], '(', ',', '*', '**') && isOp(tokens[i + 1], ',', ')', '=', ':')) bind(t);
      }
    }
  }
  if (isKeyword(head, 'import')) {
    importedNames(tokens, start + 1).forEach(bind);
  }
  if (isKeyword(head, 'from')) {
    const at = tokens.findIndex((t) => isKeyword(t, 'import'));
    if (at > 0) importedNames(tokens, at + 1).forEach(bind);
  }
  if (isKeyword(head, 'global') || isKeyword(head, 'nonlocal')) tokens.slice(start + 1).forEach(bind);

  for (let i = 0; i < tokens.length; i += 1) {
    const t = tokens[i];
    if (isKeyword(t, 'for')) {
      for (
        let j = i + 1;
        j < tokens.length && !(isKeyword(tokens[j], 'in') && tokens[j]?.depth === t?.depth);
        j += 1
      ) {
        if (!isOp(tokens[j - 1], '.')) bind(tokens[j]);
      }
    }
    if (isKeyword(t, 'as')) bind(tokens[i + 1]);
    if (isOp(t, ':=')) bind(tokens[i - 1]);
    if (isKeyword(t, 'lambda')) {
      for (let j = i + 1; j < tokens.length && !isOp(tokens[j], ':'); j += 1) {
        if (isOp(tokens[j - 1], 'lambda', ',', '*', '**') || isKeyword(tokens[j - 1], 'lambda'))
          bind(tokens[j]);
      }
    }
  }

  // Assignment targets: what precedes a top-level `=` (or augmented operator).
  let segmentStart = start;
  for (let i = start; i < tokens.length; i += 1) {
    const t = tokens[i];
    if (t?.depth !== base) continue;
    if (isOp(t, ';')) segmentStart = i + 1;
    if (t.kind === 'op' && ASSIGNMENT_OPERATORS.has(t.text)) {
      for (let j = segmentStart; j < i; j += 1) {
        const target = tokens[j];
        if (isOp(tokens[j - 1], '.') || isOp(tokens[j + 1], '.', '(', '[')) continue;
        // `x: int = 1` binds x, not int.
        if (isOp(tokens[j - 1], ':')) continue;
        bind(target);
      }
      segmentStart = i + 1;
    }
  }
}

function importedNames(tokens: readonly Token[], from: number): Token[] {
  const names: Token[] = [];
  let expectName = true;
  for (let i = from; i < tokens.length; i += 1) {
    const t = tokens[i];
    if (isOp(t, ',')) {
      expectName = true;
      continue;
    }
    if (isOp(t, '(', ')')) continue;
    if (isKeyword(t, 'as')) {
      names.pop();
      expectName = true;
      continue;
    }
    if (expectName && isIdentifier(t)) {
      // `import a.b` binds `a`; `import a as b` binds `b`.
      names.push(t);
      expectName = false;
    }
  }
  return names;
}

/** Flattened token stream (f-string fields spliced in after their string), for context checks. */
export function flatTokens(source: PySource): Token[] {
  const result: Token[] = [];
  const visit = (tokens: readonly Token[]) => {
    for (const t of tokens) {
      if (t.kind === 'comment' || t.kind === 'newline') continue;
      result.push(t);
      if (t.inner) visit(t.inner);
    }
  };
  visit(source.tokens);
  return result;
}

/**
 * Occurrences of `name` used as a variable: not an attribute (`.name`), not a keyword argument
 * (`f(name=…)`), not a keyword.
 */
export function nameReferences(source: PySource, name: string): Token[] {
  const flat = flatTokens(source);
  return flat.filter((t, i) => {
    if (t.kind !== 'name' || t.text !== name || KEYWORDS.has(name)) return false;
    if (isOp(flat[i - 1], '.')) return false;
    if (t.depth > 0 && isOp(flat[i + 1], '=') && isOp(flat[i - 1], '(', ',')) return false;
    return true;
  });
}

/** `.attr` occurrences: the attribute name tokens. */
export function attributeReferences(source: PySource, attribute: string): Token[] {
  const flat = flatTokens(source);
  return flat.filter((t, i) => t.kind === 'name' && t.text === attribute && isOp(flat[i - 1], '.'));
}

/** Lines of the class body of `class <name>` (first body line, last body line), or undefined. */
export function classBody(
  source: PySource,
  name: string,
): { first: number; last: number; bases: string[] } | undefined {
  const header = source.logical.find((l) => isKeyword(l.tokens[0], 'class') && l.tokens[1]?.text === name);
  if (!header) return undefined;
  const indent = source.indentOf(header.firstLine).length;
  let last = header.lastLine;
  for (let line = header.lastLine + 1; line <= source.lineCount; line += 1) {
    const text = source.lineText(line);
    if (text.trim() === '' || text.trimStart().startsWith('#')) continue;
    if (source.indentOf(line).length <= indent) {
      const logical = source.logicalAt(line);
      if (logical?.firstLine === line) break;
    }
    last = line;
  }
  const bases: string[] = [];
  if (isOp(header.tokens[2], '(')) {
    for (const t of header.tokens.slice(3)) if (isIdentifier(t) && t.depth === 1) bases.push(t.text);
  }
  return { first: header.lastLine + 1, last, bases };
}

/** Methods, class attributes and `self.x = …` attributes of a class defined in the program (and its bases there). */
export function classMembers(
  source: PySource,
  name: string,
  seen = new Set<string>(),
): Set<string> | undefined {
  const body = classBody(source, name);
  if (!body || seen.has(name)) return undefined;
  seen.add(name);
  const members = new Set<string>();
  const bodyIndent = body.first <= source.lineCount ? source.indentOf(body.first).length : 0;
  for (const logical of source.logical) {
    if (logical.firstLine < body.first || logical.firstLine > body.last) continue;
    const tokens = logical.tokens;
    const atClassLevel = source.indentOf(logical.firstLine).length === bodyIndent;
    const head = isKeyword(tokens[0], 'async') ? 1 : 0;
    if (atClassLevel && isKeyword(tokens[head], 'def') && tokens[head + 1])
      members.add(tokens[head + 1]?.text ?? '');
    if (atClassLevel && isIdentifier(tokens[0]) && isOp(tokens[1], '=', ':')) members.add(tokens[0].text);
    tokens.forEach((t, i) => {
      if (t.kind === 'name' && (t.text === 'self' || t.text === 'cls')) {
        const attr = tokens[i + 2];
        if (isOp(tokens[i + 1], '.') && isIdentifier(attr) && isOp(tokens[i + 3], '=', ':'))
          members.add(attr.text);
      }
    });
  }
  for (const base of body.bases) {
    for (const member of classMembers(source, base, seen) ?? []) members.add(member);
  }
  return members;
}

/** Attribute names the program defines on any of its classes (for objects of unknown class). */
export function allProgramAttributes(source: PySource): Set<string> {
  const result = new Set<string>();
  for (const logical of source.logical) {
    const tokens = logical.tokens;
    if (isKeyword(tokens[0], 'class') && tokens[1]) {
      for (const member of classMembers(source, tokens[1].text) ?? []) result.add(member);
    }
  }
  return result;
}
