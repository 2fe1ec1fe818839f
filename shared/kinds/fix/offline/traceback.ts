/** One `File "…", line N` entry of a traceback. */
export interface TracebackFrame {
  file: string;
  line: number;
  /** The function the frame is in; absent for a SyntaxError's location block. */
  scope?: string;
  /** The source line as Python printed it (leading whitespace stripped). */
  source?: string;
  /** Columns marked by the caret line, relative to `source`; `focus` is the `^` part of a `~~^~~` mark. */
  marker?: { start: number; end: number; focus: { start: number; end: number } };
}

/** What a traceback (or a bare `Type: message` line) says about a failure. */
export interface ParsedError {
  /** The exception class without its module, e.g. `JSONDecodeError`. */
  type: string;
  /** As printed, e.g. `json.decoder.JSONDecodeError`. */
  qualifiedType: string;
  message: string;
  frames: TracebackFrame[];
  /** The frame that belongs to the program under repair, when one does. */
  programFrame?: TracebackFrame;
}

const FRAME = /^\s*File "(.+?)", line (\d+)(?:, in (.+))?\s*$/;
const EXCEPTION = /^([A-Za-z_][\w.]*)(?::\s?(.*))?$/;
const MARKER = /^\s*[~^]+\s*$/;
const EXCEPTION_NAME = /(?:Error|Exception|Exit|Interrupt|Iteration|Warning|Group)$/;

const TEST_FILE = /(?:^|[\\/])(?:reproduce_issue|test_[^\\/]*|[^\\/]*_test|conftest)\.py$/;
const LIBRARY_FILE = /^<|[\\/]lib[\\/]python\d|site-packages|dist-packages/;

const basename = (path: string): string => path.split(/[\\/]/).pop() ?? path;

/**
 * Parses Python error output. `filename` is the program's name; the program frame is the last
 * frame in a file of that name or, failing that, the last one that is neither the test harness
 * nor the standard library. Returns undefined when no exception line is present.
 */
export function parseTraceback(text: string, filename?: string): ParsedError | undefined {
  const all = text.split(/\r\n|\r|\n/);
  // A chained failure prints several tracebacks; the last one is what ended the run.
  let from = 0;
  all.forEach((line, index) => {
    if (line.startsWith('Traceback (most recent call last):')) from = index;
  });
  const lines = all.slice(from);

  const frames: TracebackFrame[] = [];
  let lastFrameLine = -1;
  for (let i = 0; i < lines.length; i += 1) {
    const match = FRAME.exec(lines[i] as string);
    if (!match) continue;
    const frame: TracebackFrame = { file: match[1] as string, line: Number(match[2]) };
    if (match[3]) frame.scope = match[3];
    lastFrameLine = i;
    const sourceLine = lines[i + 1];
    if (sourceLine !== undefined && /^\s{4,}\S/.test(sourceLine) && !FRAME.test(sourceLine)) {
      const displayIndent = sourceLine.length - sourceLine.trimStart().length;
      frame.source = sourceLine.trim();
      lastFrameLine = i + 1;
      const markerLine = lines[i + 2];
      if (markerLine !== undefined && MARKER.test(markerLine)) {
        lastFrameLine = i + 2;
        frame.marker = marker(markerLine, displayIndent);
      }
    }
    frames.push(frame);
  }

  const exception = exceptionLine(lines, lastFrameLine);
  if (!exception) return undefined;
  const [, qualifiedType = '', message = ''] = exception;
  const result: ParsedError = {
    type: qualifiedType.split('.').pop() ?? qualifiedType,
    qualifiedType,
    message: message.trim(),
    frames,
  };
  const programFrame = pickProgramFrame(frames, filename);
  if (programFrame) result.programFrame = programFrame;
  return result;
}

function marker(line: string, displayIndent: number): NonNullable<TracebackFrame['marker']> {
  const start = line.search(/[~^]/);
  const end = line.trimEnd().length;
  const firstCaret = line.indexOf('^');
  const lastCaret = line.lastIndexOf('^');
  const focus =
    firstCaret >= 0 ? { start: firstCaret - displayIndent, end: lastCaret + 1 - displayIndent } : undefined;
  return {
    start: start - displayIndent,
    end: end - displayIndent,
    focus: focus ?? { start: start - displayIndent, end: end - displayIndent },
  };
}

function exceptionLine(lines: readonly string[], after: number): RegExpExecArray | undefined {
  // After the frames: the first unindented line. Without frames (an error line pasted on its
  // own): the last line that looks like `SomeError: …`.
  if (after >= 0) {
    for (let i = after + 1; i < lines.length; i += 1) {
      const line = lines[i] as string;
      if (line.trim() === '' || /^\s/.test(line)) continue;
      const match = EXCEPTION.exec(line.trimEnd());
      if (match) return match;
    }
  }
  for (let i = lines.length - 1; i >= 0; i -= 1) {
    const match = EXCEPTION.exec((lines[i] as string).trim());
    if (match && EXCEPTION_NAME.test(match[1] as string)) return match;
  }
  return undefined;
}

function pickProgramFrame(frames: readonly TracebackFrame[], filename?: string): TracebackFrame | undefined {
  const wanted = filename ? basename(filename) : undefined;
  const named = frames.filter((f) => wanted !== undefined && basename(f.file) === wanted);
  if (named.length > 0) return named[named.length - 1];
  const own = frames.filter((f) => !TEST_FILE.test(f.file) && !LIBRARY_FILE.test(f.file));
  return own[own.length - 1];
}
