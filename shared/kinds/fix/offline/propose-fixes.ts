import { PySource } from './python-source.js';
import { attributeErrorStrategy } from './strategies/attribute-error.js';
import { concatenationStrategy } from './strategies/concatenation.js';
import { indexErrorStrategy } from './strategies/index-error.js';
import { keyErrorStrategy } from './strategies/key-error.js';
import { fixesForUndefinedName, nameErrorStrategy, undefinedNames } from './strategies/name-error.js';
import { distinct, type Fix, type FixContext, type FixStrategy } from './strategies/strategy.js';
import { staticSyntaxFixes, syntaxErrorStrategy } from './strategies/syntax-error.js';
import { zeroDivisionStrategy } from './strategies/zero-division.js';
import { type ParsedError, parseTraceback } from './traceback.js';

export const STRATEGIES: readonly FixStrategy[] = [
  syntaxErrorStrategy,
  nameErrorStrategy,
  attributeErrorStrategy,
  zeroDivisionStrategy,
  indexErrorStrategy,
  keyErrorStrategy,
  concatenationStrategy,
];

const HANDLED =
  'NameError, AttributeError, ZeroDivisionError, IndexError (off by one), KeyError, TypeError from `+` between text and numbers, and SyntaxError (missing colon or bracket)';

export interface FixInput {
  code: string;
  filename: string;
  /** A traceback or a `Type: message` line; absent when nothing ran yet. */
  error?: string;
}

export interface FixOutcome {
  fixes: Fix[];
  /** The error as understood, when one was given and parsed. */
  error?: ParsedError;
  /** 1-based program line the error points at. */
  line?: number;
  /** One sentence for the client: what was found, or why nothing is proposed. */
  diagnosis: string;
}

/** Proposes fixed programs for one program and its error (or, without one, what a static scan finds). */
export function proposeFixes(input: FixInput): FixOutcome {
  const source = new PySource(input.code);
  const errorText = input.error?.trim() ? input.error : undefined;
  if (!errorText) return staticFixes(source);

  const error = parseTraceback(errorText, input.filename);
  if (!error) {
    return {
      fixes: [],
      diagnosis: 'The error text holds no Python exception line, so there is nothing to aim a fix at.',
    };
  }
  const line = lineInProgram(error, source);
  const context: FixContext = { source, error, ...(line !== undefined ? { line } : {}) };
  let fixes = distinct(
    input.code,
    STRATEGIES.flatMap((strategy) => strategy.propose(context)),
  );
  if (fixes.length === 0 && error.type === 'SyntaxError') fixes = staticSyntaxFixes(source);
  const where = line !== undefined ? ` on line ${line}` : '';
  const summary = `${error.type}${where}: ${error.message}`;
  if (fixes.length > 0) return { fixes, error, ...(line !== undefined ? { line } : {}), diagnosis: summary };
  const diagnosis = isHandledType(error)
    ? `${summary} — no safe rewrite was found for it${line === undefined ? ` (the traceback names no line of ${input.filename})` : ''}.`
    : `${summary} — the offline engine only repairs ${HANDLED}.`;
  return { fixes: [], error, ...(line !== undefined ? { line } : {}), diagnosis };
}

const isHandledType = (error: ParsedError): boolean =>
  ['NameError', 'AttributeError', 'ZeroDivisionError', 'IndexError', 'KeyError', 'SyntaxError'].includes(
    error.type,
  ) ||
  (error.type === 'TypeError' && /concatenate|operand type\(s\) for \+/.test(error.message));

/** The program line of the error, if the traceback names one that exists in this program. */
function lineInProgram(error: ParsedError, source: PySource): number | undefined {
  const frame = error.programFrame;
  if (!frame || frame.line < 1 || frame.line > Math.max(1, source.lineCount)) return undefined;
  return frame.line;
}

function staticFixes(source: PySource): FixOutcome {
  const syntax = staticSyntaxFixes(source);
  if (syntax.length > 0) {
    return { fixes: syntax, diagnosis: 'No error was given; a static scan found a syntax problem.' };
  }
  for (const token of undefinedNames(source)) {
    const fixes = fixesForUndefinedName({ source }, token.text);
    if (fixes.length > 0) {
      return {
        fixes,
        line: token.line,
        diagnosis: `No error was given; a static scan found ${token.text} used on line ${token.line} but never defined.`,
      };
    }
  }
  return {
    fixes: [],
    diagnosis:
      'No error was given and a static scan found nothing to repair; a logic error needs a failing test or traceback.',
  };
}
