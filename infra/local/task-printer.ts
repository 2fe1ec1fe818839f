import type { SessionEvent } from '../../shared/domain/events.js';
import type { CheckVerdict } from '../../shared/domain/types.js';
import type { TaskRoundView } from '../../shared/kinds/task/use-cases/get-task-round.js';
import type { Proof } from './delivery-proof.js';
import type { Receipt } from './local-evaluator.js';

/*
 * The task demo's lines, as plain text: what the engine said while it worked, then the round as
 * GET /v1/tasks/{task}/rounds/{round} reports it, then what the demo checked for itself.
 */

const MARK: Record<CheckVerdict['status'], string> = { passed: '✓', failed: '✗', unverified: '?' };

/** One line for a live event; none for the acceptance the POST already answered. */
export function eventLine(event: SessionEvent): string | undefined {
  switch (event.type) {
    case 'accepted':
      return undefined;
    // A task event's `round` counts the engine's attempts, not the evaluator's rounds: left out, as
    // the messages name the attempt where it matters.
    case 'progress':
      return `${event.stage}: ${event.message}`;
    case 'candidate': {
      const who = event.role === 'baseline' ? 'the site before this round' : `candidate ${event.index}`;
      const why = event.reason ? ` — ${event.reason}` : '';
      return `  ${who} [${event.source}]: ${event.status} ${event.durationMs} ms${why}`;
    }
    case 'result': {
      const checks = event.checks
        ? ` (checks: ${event.checks.passed} passed, ${event.checks.failed} failed, ${event.checks.unverified} unverified)`
        : '';
      return `${event.status}${event.reason ? `: ${event.reason}` : ''}${checks}`;
    }
    case 'error':
      return `error: ${event.message}`;
  }
}

const checkLine = (check: CheckVerdict) =>
  `  ${MARK[check.status]} ${check.text}${check.why ? ` — ${check.why}` : ''}`;

/** The round's checks, publication and notifications, and what the evaluator received. */
export function roundReport(
  view: TaskRoundView,
  repoPath: string | undefined,
  received: readonly Receipt[],
): string[] {
  const delivery = view.delivery;
  const lines = [`\nround ${view.round} of ${view.task}: ${view.status}`, 'checks:'];
  lines.push(...(view.checks ?? []).map(checkLine));
  lines.push(
    'published:',
    `  repo       ${repoPath ?? '(not published)'}${view.repo_url ? ` (${view.repo_url})` : ''}`,
    `  commit_sha ${view.commit_sha ?? '(none)'}`,
    `  pages_url  ${view.pages_url ?? '(none)'}`,
  );
  if (delivery?.live) {
    const live = delivery.live;
    lines.push(`  live check ${live.status}: ${live.passed} of ${live.total} passed on the pages URL`);
  }
  lines.push(`notifications (delivery ${delivery?.stage ?? 'not started'}):`);
  delivery?.notifications.forEach((attempt, index) => {
    const answer = attempt.status === null ? 'no answer' : `HTTP ${attempt.status}`;
    const error = attempt.error ? ` — ${attempt.error}` : '';
    lines.push(`  ${index + 1}. ${attempt.at} ${answer} in ${attempt.latencyMs} ms${error}`);
  });
  if (delivery?.reason) lines.push(`  reason: ${delivery.reason}`);
  lines.push('evaluator received:');
  if (received.length === 0) lines.push('  nothing');
  received.forEach((receipt, index) => {
    const verdict = receipt.status === 200 ? 'accepted' : `refused: ${receipt.reason}`;
    lines.push(
      `  ${index + 1}. ${receipt.at} ${receipt.contentType ?? '(no content type)'} → ${receipt.status} ${verdict}`,
    );
    lines.push(`     ${JSON.stringify(receipt.body)}`);
  });
  const unmet = (view.checks ?? []).filter((check) => check.status !== 'passed');
  lines.push(`checks it could not satisfy (${unmet.length}):`);
  lines.push(...(unmet.length > 0 ? unmet.map(checkLine) : ['  none']));
  return lines;
}

/** What the demo verified for itself, one line each. */
export function proofLines(proofs: readonly Proof[]): string[] {
  return ['verified by the demo:', ...proofs.map((proof) => `  ${proof.ok ? '✓' : '✗'} ${proof.text}`)];
}
