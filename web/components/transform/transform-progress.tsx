import { Notes } from '@/components/notes';
import { ms, Verdict } from '@/components/session-view';
import type { TransformCandidate, TransformJob } from '@/lib/types';
import { cn } from '@/lib/utils';

const STATUS_TEXT: Record<TransformJob['status'], string> = {
  queued: 'queued',
  running: 'running',
  verified: 'verified',
  no_fix: 'no program passed',
  failed: 'failed',
};

const STATUS_CLASS: Record<TransformJob['status'], string> = {
  queued: 'bg-slate-100 text-slate-800',
  running: 'bg-sky-100 text-sky-900',
  verified: 'bg-green-100 text-green-900',
  no_fix: 'bg-amber-100 text-amber-950',
  failed: 'bg-red-100 text-red-900',
};

function Checks({ candidate }: { candidate: TransformCandidate }) {
  if (candidate.checks.length === 0) return null;
  return (
    <ul className="mt-1 grid gap-0.5 text-xs" aria-label={`Checks of candidate ${candidate.index}`}>
      {candidate.checks.map((check) => (
        <li
          key={check.name}
          data-check={check.name}
          data-passed={String(check.passed)}
          className="flex gap-1.5"
        >
          <span aria-hidden="true" className={check.passed ? 'text-green-700' : 'text-red-700'}>
            {check.passed ? '✓' : '✗'}
          </span>
          <span>
            <span className="sr-only">{check.passed ? 'passed: ' : 'failed: '}</span>
            <span className="font-medium">{check.name}</span>
            {check.detail ? <span className="text-slate-600"> — {check.detail}</span> : null}
          </span>
        </li>
      ))}
    </ul>
  );
}

/** A job as it runs: its status (announced), then each candidate's verdict, time, reason and checks. */
export function TransformProgress({ job }: { job: TransformJob }) {
  return (
    <div className="grid gap-3">
      <p
        role="status"
        aria-live="polite"
        className="text-sm"
        data-testid="job-status"
        data-status={job.status}
        data-job={job.jobId}
      >
        Job <span className="font-mono">{job.jobId}</span>:{' '}
        <span className={cn('rounded px-1.5 py-0.5 text-xs font-semibold', STATUS_CLASS[job.status])}>
          {STATUS_TEXT[job.status]}
        </span>
        {/* A failed job's reason is said in its alert, with what to do. */}
        {job.reason && job.status === 'verified' ? (
          <span className="text-slate-700"> — {job.reason}</span>
        ) : null}
      </p>
      {job.candidates.length === 0 ? (
        <p className="text-sm text-slate-600">Waiting for the first candidates…</p>
      ) : (
        <ol className="grid gap-2" data-testid="transform-candidates" aria-label="Candidates">
          {job.candidates.map((candidate) => (
            <li
              key={candidate.index}
              data-index={candidate.index}
              data-status={candidate.status}
              className={cn(
                'rounded-md border p-2 text-sm',
                job.winner?.index === candidate.index ? 'border-green-400 bg-green-50' : 'border-slate-200',
              )}
            >
              <div className="flex flex-wrap items-center gap-x-2 gap-y-1">
                <span className="font-medium">Candidate {candidate.index}</span>
                <span className="text-slate-600">{candidate.source}</span>
                <Verdict status={candidate.status} />
                {candidate.durationMs !== undefined ? (
                  <span className="text-xs text-slate-600" data-testid="duration">
                    {ms(candidate.durationMs)}
                  </span>
                ) : null}
                {job.winner?.index === candidate.index ? (
                  <span className="text-xs font-semibold text-green-800">winner</span>
                ) : null}
              </div>
              {candidate.reason ? (
                <p className="mt-1 break-words text-xs text-slate-700">{candidate.reason}</p>
              ) : null}
              <Checks candidate={candidate} />
            </li>
          ))}
        </ol>
      )}
      <Notes notes={job.notes} />
    </div>
  );
}
