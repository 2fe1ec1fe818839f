import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import {
  defaultApiUrl,
  FixClientError,
  type FixRequestBody,
  fetchWinnerDiff,
  requestFix,
} from './fix-client.js';
import { ANSI_COLOUR, NO_COLOUR, renderEvent } from './render-event.js';

const USAGE = `usage: pve fix FILE [--test FILE] [--error TEXT | --error-file FILE] [--candidate FILE]...
                [--max-rounds N] [--url ws://host:port/ws] [--api http://host:port] [--timeout SECONDS]

Sends FILE to a Truth Engine, follows the session live, and prints the verified fix as a diff.
Exit status: 0 verified, 1 nothing verified, 2 usage or connection error.
The URL defaults to $TRUTH_ENGINE_URL, else ws://127.0.0.1:3000/ws (the local stack); the HTTP API
(used for requests over one WebSocket frame and for large diffs) to $TRUTH_ENGINE_API_URL, else the
same host and port as the WebSocket URL. $TRUTH_ENGINE_KEY is the API key sent with every request
(a local stack started with AUTH=auto signs a request without one in as its default user).`;

export interface CliIo {
  out: (line: string) => void;
  err: (line: string) => void;
  colour: boolean;
}

/** Runs the CLI and returns its exit status. */
export async function pve(
  argv: string[],
  io: CliIo,
  env: Record<string, string | undefined> = {},
): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    io.err(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (parsed.help) {
    io.out(USAGE);
    return 0;
  }
  const { file, values } = parsed;
  const colour = io.colour ? ANSI_COLOUR : NO_COLOUR;
  let request: FixRequestBody;
  try {
    request = {
      code: await readFile(file, 'utf8'),
      filename: basename(file),
      ...(values.test ? { test: await readFile(values.test, 'utf8') } : {}),
      ...(values.error ? { error: values.error } : {}),
      ...(values['error-file'] ? { error: await readFile(values['error-file'], 'utf8') } : {}),
      ...(values.candidate?.length
        ? { candidates: await Promise.all(values.candidate.map((path) => readFile(path, 'utf8'))) }
        : {}),
      ...(values['max-rounds'] ? { maxRounds: Number(values['max-rounds']) } : {}),
    };
  } catch (error) {
    io.err(`cannot read input: ${(error as Error).message}`);
    return 2;
  }
  const url = values.url ?? env.TRUTH_ENGINE_URL ?? 'ws://127.0.0.1:3000/ws';
  try {
    const apiUrl = values.api ?? env.TRUTH_ENGINE_API_URL ?? defaultApiUrl(url);
    const credential = env.TRUTH_ENGINE_KEY?.trim() || undefined;
    const result = await requestFix({
      url,
      apiUrl,
      request,
      ...(credential === undefined ? {} : { credential }),
      timeoutMs: Number(values.timeout ?? 300) * 1000,
      onEvent: (event) => {
        const line = renderEvent(event, colour);
        if (line !== null) io.out(line);
      },
    });
    for (const note of result.notes) io.out(colour.dim(`note: ${note}`));
    if (result.status === 'verified' && result.winner) {
      io.out(
        colour.good(
          colour.bold(
            `verified: candidate ${result.winner.index} passed in ${Math.round(result.winner.durationMs)} ms`,
          ),
        ),
      );
      // A diff too large for the event's frame is read from the session instead.
      const diff = result.winner.diff ?? (await fetchWinnerDiff(apiUrl, result.sessionId, credential));
      if (diff !== null) io.out(diff);
      return 0;
    }
    io.out(
      colour.bad(
        colour.bold(`${result.status.replace('_', ' ')}: ${result.reason ?? 'nothing was verified'}`),
      ),
    );
    return 1;
  } catch (error) {
    if (error instanceof FixClientError) {
      io.err(error.message);
      return 2;
    }
    throw error;
  }
}

function parse(argv: string[]) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      test: { type: 'string' },
      error: { type: 'string' },
      'error-file': { type: 'string' },
      candidate: { type: 'string', multiple: true },
      'max-rounds': { type: 'string' },
      url: { type: 'string' },
      api: { type: 'string' },
      timeout: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return { help: true as const, file: '', values };
  const [command, file, ...rest] = positionals;
  if (command !== 'fix' || !file || rest.length > 0) throw new Error('expected: pve fix FILE');
  const rounds = values['max-rounds'];
  if (rounds !== undefined && !/^[1-3]$/.test(rounds)) throw new Error('--max-rounds must be 1, 2 or 3');
  if (values.timeout !== undefined && !(Number(values.timeout) > 0))
    throw new Error('--timeout must be positive');
  if (values.error !== undefined && values['error-file'] !== undefined) {
    throw new Error('give --error or --error-file, not both');
  }
  return { help: false as const, file, values };
}
