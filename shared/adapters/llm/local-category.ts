import type { ProblemCategory } from '../../domain/types.js';

/** A line that starts with an exception name, as Python (or pytest, after its `E`) prints it. */
const EXCEPTION_LINE =
  /^\s*(?:E\s+)?(?:[A-Za-z_]\w*\.)*([A-Z]\w*(?:Error|Exception|Exit|Interrupt|gaierror))\b(?::|$)/;

const PARSER_ERRORS = new Set(['SyntaxError', 'IndentationError', 'TabError']);
const IMPORT_ERRORS = new Set(['ModuleNotFoundError', 'ImportError']);
const ENVIRONMENT_ERRORS = new Set([
  'FileNotFoundError',
  'PermissionError',
  'NotADirectoryError',
  'IsADirectoryError',
  'ConnectionError',
  'ConnectionRefusedError',
  'ConnectionResetError',
  'TimeoutError',
  'OSError',
  'EnvironmentError',
  'gaierror',
]);

interface NamedLine {
  name: string;
  line: string;
}

function exceptionLines(text: string): NamedLine[] {
  const found: NamedLine[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const match = EXCEPTION_LINE.exec(raw);
    if (match?.[1]) found.push({ name: match[1], line: raw.trim().replace(/^E\s+/, '') });
  }
  return found;
}

/**
 * True when the client's error text shows Python's parser rejecting the code (SyntaxError,
 * IndentationError, TabError): the category is certain without asking a model.
 */
export function isParserError(error: string | undefined): boolean {
  return error !== undefined && exceptionLines(error).some(({ name }) => PARSER_ERRORS.has(name));
}

/** Classifies from the error text alone: without a Groq key, for parse errors, or when Groq fails. */
export function classifyLocally(error: string | undefined): ProblemCategory {
  const text = error?.trim() ?? '';
  if (text === '') {
    return { kind: 'logic', summary: 'No error reported: the program runs but misbehaves.', by: 'local' };
  }
  const lines = exceptionLines(text);
  // A parse error anywhere wins: nothing else in the file ran.
  const parser = lines.find(({ name }) => PARSER_ERRORS.has(name));
  if (parser) return { kind: 'syntax', summary: clip(parser.line), by: 'local' };
  // Otherwise the last exception is the one that ended the program.
  const last = lines.at(-1);
  if (!last) {
    const kind = /Traceback \(most recent call last\)/.test(text) ? 'runtime' : 'logic';
    return { kind, summary: clip(lastLine(text)), by: 'local' };
  }
  const summary = clip(last.line);
  if (IMPORT_ERRORS.has(last.name)) return { kind: 'import', summary, by: 'local' };
  if (ENVIRONMENT_ERRORS.has(last.name)) return { kind: 'environment', summary, by: 'local' };
  if (last.name === 'AssertionError') return { kind: 'logic', summary, by: 'local' };
  return { kind: 'runtime', summary, by: 'local' };
}

function lastLine(text: string): string {
  const lines = text.split(/\r?\n/).filter((line) => line.trim() !== '');
  return (lines.at(-1) ?? text).trim();
}

function clip(line: string): string {
  return line.length > 160 ? `${line.slice(0, 159)}…` : line;
}
