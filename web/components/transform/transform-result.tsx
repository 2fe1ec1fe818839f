'use client';
import { useEffect, useState } from 'react';
import { ErrorAlert } from '@/components/alert';
import { DataTable } from '@/components/transform/data-table';
import { downloadTransformCsv, errorText } from '@/lib/api';
import type { TransformWinner } from '@/lib/types';

/** The file name a download gets: the upload's name, marked as transformed. */
export function outputName(filename: string): string {
  return `${filename.replace(/\.(csv|xlsx)$/i, '') || 'output'}-transformed.csv`;
}

/**
 * The winner's table (its first 50 rows) and a link to its whole CSV. The CSV is fetched with the
 * console's credential (a plain link could not send it) and linked as a blob.
 */
export function TransformResult({
  jobId,
  winner,
  filename,
}: {
  jobId: string;
  winner: TransformWinner;
  filename: string;
}) {
  const [href, setHref] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let url: string | null = null;
    let current = true;
    setHref(null);
    setError(null);
    downloadTransformCsv(jobId)
      .then((blob) => {
        if (!current) return;
        url = URL.createObjectURL(blob);
        setHref(url);
      })
      .catch((failure: unknown) => {
        if (current) setError(errorText(failure));
      });
    return () => {
      current = false;
      if (url) URL.revokeObjectURL(url);
    };
  }, [jobId]);

  const shown = winner.preview.length;
  return (
    <div className="grid gap-3" data-testid="transform-result">
      <div className="flex flex-wrap items-center gap-x-3 gap-y-2">
        <p className="text-sm text-slate-700" data-testid="result-size">
          {winner.rows} {winner.rows === 1 ? 'row' : 'rows'} × {winner.columns.length}{' '}
          {winner.columns.length === 1 ? 'column' : 'columns'}
          {shown < winner.rows ? ` (the first ${shown} shown)` : ''}
        </p>
        {href ? (
          <a
            href={href}
            download={outputName(filename)}
            className="inline-flex h-9 items-center rounded-md bg-blue-700 px-4 text-sm font-medium text-white shadow hover:bg-blue-800 focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-blue-600 focus-visible:ring-offset-2"
          >
            Download CSV
          </a>
        ) : error ? null : (
          <span className="text-sm text-slate-600">Preparing the CSV…</span>
        )}
      </div>
      {error ? (
        <ErrorAlert message={`the CSV could not be fetched: ${error}`} hint="Reload the page to try again." />
      ) : null}
      <DataTable
        columns={winner.columns}
        rows={winner.preview}
        caption="The transformed table"
        testId="result-table"
      />
    </div>
  );
}
