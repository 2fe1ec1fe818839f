'use client';
import { useId, useState } from 'react';
import { formatBytes } from '@/lib/format';
import { cn } from '@/lib/utils';

const ACCEPT = '.csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/**
 * Where a CSV or XLSX file is dropped, or picked: the whole box is the file input's label, so a
 * click, Enter or Space on the focused input opens the picker.
 */
export function DatasetDrop({
  onFile,
  busy,
  progress,
  filename,
}: {
  onFile: (file: File) => void;
  busy: boolean;
  /** A large file's upload so far; the file is read once it is all sent. */
  progress?: { sent: number; total: number } | null;
  filename?: string | undefined;
}) {
  const sending = busy && progress && progress.sent < progress.total;
  const inputId = useId();
  const [over, setOver] = useState(false);
  return (
    <label
      htmlFor={inputId}
      data-testid="dataset-drop"
      className={cn(
        'flex cursor-pointer flex-col items-center justify-center gap-1 rounded-lg border-2 border-dashed px-4 py-6 text-center text-sm focus-within:ring-2 focus-within:ring-blue-600',
        over ? 'border-blue-600 bg-blue-50' : 'border-slate-300 bg-white hover:bg-slate-50',
        busy && 'opacity-60',
      )}
      onDragOver={(event) => {
        event.preventDefault();
        event.dataTransfer.dropEffect = 'copy';
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={(event) => {
        event.preventDefault();
        setOver(false);
        const file = event.dataTransfer.files[0];
        if (file && !busy) onFile(file);
      }}
    >
      <span className="font-medium text-slate-900">
        {sending
          ? `Uploading ${formatBytes(progress.sent)} of ${formatBytes(progress.total)}…`
          : busy
            ? 'Reading the file…'
            : 'Drop a CSV or XLSX file here, or choose one'}
      </span>
      {busy && progress ? (
        <progress
          className="h-2 w-full max-w-xs accent-blue-600"
          aria-label="Upload progress"
          max={progress.total}
          value={progress.sent}
        />
      ) : null}
      <span className="text-slate-600">
        {filename
          ? `Loaded: ${filename}. Drop another to replace it.`
          : 'The first rows and the column types show below.'}
      </span>
      <input
        id={inputId}
        type="file"
        accept={ACCEPT}
        className="sr-only"
        aria-label="Dataset file (CSV or XLSX)"
        disabled={busy}
        onChange={(event) => {
          const file = event.target.files?.[0];
          // Cleared, so that choosing the same file again is a change too.
          event.target.value = '';
          if (file) onFile(file);
        }}
      />
    </label>
  );
}
