import type { SessionEvent } from '../domain/events.js';

export interface Palette {
  good: (text: string) => string;
  bad: (text: string) => string;
  dim: (text: string) => string;
  bold: (text: string) => string;
}

const plain = (text: string) => text;
export const NO_COLOUR: Palette = { good: plain, bad: plain, dim: plain, bold: plain };
export const ANSI_COLOUR: Palette = {
  good: (text) => `\u001b[32m${text}\u001b[39m`,
  bad: (text) => `\u001b[31m${text}\u001b[39m`,
  dim: (text) => `\u001b[2m${text}\u001b[22m`,
  bold: (text) => `\u001b[1m${text}\u001b[22m`,
};

/** One line a person can follow for each event of a session (the result is rendered separately). */
export function renderEvent(event: SessionEvent, colour: Palette = NO_COLOUR): string | null {
  switch (event.type) {
    case 'accepted':
      return colour.dim(`session ${event.sessionId} accepted`);
    case 'progress': {
      const who = event.provider ? ` [${event.provider}${event.attempt ? ` #${event.attempt}` : ''}]` : '';
      return `${colour.bold(`round ${event.round}`)} ${event.stage}${who}: ${event.message}`;
    }
    case 'candidate': {
      const ms = `${Math.round(event.durationMs)} ms`;
      const ok = event.status === 'passed';
      if (event.role === 'baseline') {
        const verdict = ok
          ? colour.bad('passed — the harness does not reproduce the problem')
          : colour.good(`${event.status} — the problem reproduces`);
        return `  original program: ${verdict} ${colour.dim(ms)}`;
      }
      const status = ok ? colour.good(event.status) : colour.bad(event.status);
      const why = event.reason ? colour.dim(` (${event.reason})`) : '';
      return `  candidate ${event.index} [${event.source}]: ${status} ${colour.dim(ms)}${why}`;
    }
    case 'error':
      return colour.bad(`error${event.field ? ` in ${event.field}` : ''}: ${event.message}`);
    case 'result':
      return null;
  }
}
