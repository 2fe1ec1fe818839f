'use client';
import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiAlert, ErrorAlert } from '@/components/alert';
import { CodeEditor } from '@/components/monaco/editors';
import { DataTable } from '@/components/transform/data-table';
import { DatasetDrop } from '@/components/transform/dataset-drop';
import { TransformProgress } from '@/components/transform/transform-progress';
import { TransformResult } from '@/components/transform/transform-result';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { Input } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import { Textarea } from '@/components/ui/textarea';
import {
  ApiError,
  generateCode,
  getTransform,
  postTransform,
  refineInstruction,
  uploadDataset,
} from '@/lib/api';
import { type Alert, alertOf } from '@/lib/store';
import type { DatasetUpload, TransformJob, TransformRequest } from '@/lib/types';
import { TRANSFORM_FINAL } from '@/lib/types';

const POLL_MS = 700;

const EXAMPLE = 'keep orders from 2024, total the amount per region, largest first';

/** What to do after each step's failure. */
const HINTS = {
  upload:
    'Check that the file is a CSV with a header row or an XLSX workbook (name its sheet if it is not the first), then drop it again.',
  instruction:
    'Rephrase the instruction with the column names shown above (filter, select or drop, rename, sort, group by, drop duplicates, fill missing, add a column, top N), or write the specification yourself below.',
  generate: 'Make the specification more precise and generate again, or write the program yourself.',
  no_fix:
    'Name the columns, the filter and the order more precisely in the instruction or the specification, or correct the program, and run again.',
  failed: 'Run it again; if it fails again, start from the instruction with a fresh upload.',
} as const;

type Step = 'refine' | 'generate';

interface StepFailure {
  step: Step;
  alert: Alert;
}

/** The transform screen: upload, instruction, specification, program, a verified run, its table. */
export function TransformScreen() {
  const [dataset, setDataset] = useState<DatasetUpload | null>(null);
  const [uploading, setUploading] = useState(false);
  const [uploadProgress, setUploadProgress] = useState<{ sent: number; total: number } | null>(null);
  const [uploadAlert, setUploadAlert] = useState<Alert | null>(null);
  const [sheet, setSheet] = useState('');

  const [instruction, setInstruction] = useState('');
  const [spec, setSpec] = useState('');
  const [code, setCode] = useState('');
  const [streaming, setStreaming] = useState<Step | null>(null);
  const [failure, setFailure] = useState<StepFailure | null>(null);
  const stream = useRef<AbortController | null>(null);

  const [jobId, setJobId] = useState<string | null>(null);
  const [job, setJob] = useState<TransformJob | null>(null);
  const [runAlert, setRunAlert] = useState<Alert | null>(null);
  const [starting, setStarting] = useState(false);

  useEffect(() => () => stream.current?.abort(), []);

  const upload = useCallback(
    async (file: File) => {
      stream.current?.abort();
      setUploading(true);
      setUploadAlert(null);
      try {
        const uploaded = await uploadDataset(file, sheet.trim() || undefined, (sent, total) =>
          setUploadProgress({ sent, total }),
        );
        setDataset(uploaded);
        // A new dataset: what was written for the last one no longer applies to it.
        setSpec('');
        setCode('');
        setFailure(null);
        setJobId(null);
        setJob(null);
        setRunAlert(null);
      } catch (error) {
        setUploadAlert(alertOf(error));
      } finally {
        setUploading(false);
        setUploadProgress(null);
      }
    },
    [sheet],
  );

  const streamStep = useCallback(
    async (step: Step) => {
      if (!dataset) return;
      stream.current?.abort();
      const controller = new AbortController();
      stream.current = controller;
      setFailure(null);
      setStreaming(step);
      const write = step === 'refine' ? setSpec : setCode;
      write('');
      const append = (chunk: string) => write((known) => known + chunk);
      try {
        if (step === 'refine')
          await refineInstruction(dataset.datasetId, instruction, append, controller.signal);
        else await generateCode(dataset.datasetId, spec, append, controller.signal);
      } catch (error) {
        if (controller.signal.aborted) return;
        setFailure({ step, alert: alertOf(error) });
      } finally {
        if (stream.current === controller) {
          stream.current = null;
          setStreaming(null);
        }
      }
    },
    [dataset, instruction, spec],
  );

  const run = useCallback(async () => {
    if (!dataset) return;
    // The most worked-on of the three: the program if there is one (with its specification, whose
    // checks its output must then pass), else the specification.
    const request: TransformRequest = code.trim()
      ? spec.trim()
        ? { datasetId: dataset.datasetId, spec, code }
        : { datasetId: dataset.datasetId, code }
      : spec.trim()
        ? { datasetId: dataset.datasetId, spec }
        : { datasetId: dataset.datasetId, instruction };
    setStarting(true);
    setRunAlert(null);
    setJob(null);
    try {
      const accepted = await postTransform(request);
      setJobId(accepted.jobId);
    } catch (error) {
      setRunAlert(alertOf(error));
    } finally {
      setStarting(false);
    }
  }, [dataset, code, spec, instruction]);

  // Polls the job until its status is final.
  useEffect(() => {
    if (!jobId) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let current = true;
    const poll = async () => {
      try {
        const view = await getTransform(jobId);
        if (!current) return;
        setJob(view);
        if (TRANSFORM_FINAL.has(view.status)) return;
      } catch (error) {
        if (!current) return;
        setRunAlert(alertOf(error));
        // A refusal will not change by asking again; a dropped connection may.
        if (error instanceof ApiError && error.status !== 0) return;
      }
      timer = setTimeout(() => void poll(), POLL_MS);
    };
    void poll();
    return () => {
      current = false;
      if (timer) clearTimeout(timer);
    };
  }, [jobId]);

  const running =
    starting || (job !== null && !TRANSFORM_FINAL.has(job.status)) || (jobId !== null && job === null);
  const canRun = !!dataset && !streaming && !running && !!(code.trim() || spec.trim() || instruction.trim());

  return (
    <div className="grid grid-cols-[minmax(0,1fr)] gap-4">
      <Card>
        <CardHeader>
          <CardTitle>1. Data</CardTitle>
          <CardDescription>A CSV or XLSX file; it is kept for a day.</CardDescription>
        </CardHeader>
        <CardContent className="grid gap-3">
          <DatasetDrop
            onFile={(file) => void upload(file)}
            busy={uploading}
            progress={uploadProgress}
            filename={dataset?.filename}
          />
          <div className="flex flex-wrap items-center gap-2">
            <Label htmlFor="sheet">Sheet (XLSX, optional)</Label>
            <Input
              id="sheet"
              value={sheet}
              onChange={(event) => setSheet(event.target.value)}
              placeholder="the first sheet"
              className="h-8 w-48 text-sm"
            />
          </div>
          {uploadAlert ? <ApiAlert alert={uploadAlert} hint={HINTS.upload} /> : null}
          {dataset ? (
            <div className="grid gap-2" data-testid="dataset" data-dataset={dataset.datasetId}>
              <p className="text-sm text-slate-700">
                <span className="font-medium text-slate-900">{dataset.filename}</span> ({dataset.format}
                {dataset.sheet ? `, sheet ${dataset.sheet}` : ''}): {dataset.rows}{' '}
                {dataset.rows === 1 ? 'row' : 'rows'}, {dataset.columns.length} columns
                {dataset.preview.length < dataset.rows ? `; the first ${dataset.preview.length} shown` : ''}.
              </p>
              <DataTable
                columns={dataset.columns}
                rows={dataset.preview}
                caption="The uploaded data's first rows"
                testId="dataset-preview"
              />
            </div>
          ) : null}
        </CardContent>
      </Card>

      <Card>
        <CardHeader>
          <CardTitle>2. What should happen to it</CardTitle>
          <CardDescription>In plain English, with the column names above.</CardDescription>
        </CardHeader>
        <CardContent className="grid gap-3">
          <Label htmlFor="instruction">Instruction</Label>
          <Textarea
            id="instruction"
            value={instruction}
            onChange={(event) => setInstruction(event.target.value)}
            placeholder={`e.g. ${EXAMPLE}`}
            rows={2}
            className="font-sans"
            disabled={!dataset}
          />
          <div className="flex flex-wrap gap-2">
            <Button
              type="button"
              disabled={!dataset || !instruction.trim() || streaming !== null}
              onClick={() => void streamStep('refine')}
            >
              {streaming === 'refine' ? 'Refining…' : 'Refine'}
            </Button>
            {streaming ? (
              <Button type="button" variant="outline" onClick={() => stream.current?.abort()}>
                Stop
              </Button>
            ) : null}
          </div>
          {failure?.step === 'refine' ? <ApiAlert alert={failure.alert} hint={HINTS.instruction} /> : null}
          <Label htmlFor="spec">Specification</Label>
          <Textarea
            id="spec"
            value={spec}
            onChange={(event) => setSpec(event.target.value)}
            readOnly={streaming === 'refine'}
            aria-busy={streaming === 'refine'}
            placeholder="Refine writes it here; edit it as you like."
            rows={10}
            disabled={!dataset}
          />
          <div>
            <Button
              type="button"
              variant="secondary"
              disabled={!dataset || !spec.trim() || streaming !== null}
              onClick={() => void streamStep('generate')}
            >
              {streaming === 'generate' ? 'Generating…' : 'Generate code'}
            </Button>
          </div>
          {failure?.step === 'generate' ? <ApiAlert alert={failure.alert} hint={HINTS.generate} /> : null}
        </CardContent>
      </Card>

      <Card>
        <CardHeader>
          <CardTitle>3. Program</CardTitle>
          <CardDescription>
            Python defining <code className="font-mono">transform(df)</code>. Run uses the program if there is
            one (its output checked against the specification), else the specification, else the instruction.
          </CardDescription>
        </CardHeader>
        <CardContent className="grid gap-3">
          <div aria-busy={streaming === 'generate'} data-testid="program-pane">
            <CodeEditor id="transform" label="Program" value={code} onChange={setCode} height={300} />
          </div>
          <div>
            <Button type="button" disabled={!canRun} onClick={() => void run()}>
              {running ? 'Running…' : 'Run'}
            </Button>
          </div>
          {runAlert ? <ApiAlert alert={runAlert} /> : null}
          {job ? <TransformProgress job={job} /> : null}
          {job?.status === 'no_fix' ? (
            <ErrorAlert
              message={`no program passed every check${job.reason ? `: ${job.reason}` : ''}`}
              hint={HINTS.no_fix}
            />
          ) : null}
          {job?.status === 'failed' ? (
            <ErrorAlert
              message={`the job failed${job.reason ? `: ${job.reason}` : ''}`}
              hint={HINTS.failed}
            />
          ) : null}
        </CardContent>
      </Card>

      {job?.status === 'verified' && job.winner && dataset ? (
        <Card>
          <CardHeader>
            <CardTitle>4. Result</CardTitle>
            <CardDescription>Candidate {job.winner.index} passed every check.</CardDescription>
          </CardHeader>
          <CardContent>
            <TransformResult jobId={job.jobId} winner={job.winner} filename={dataset.filename} />
          </CardContent>
        </Card>
      ) : null}
    </div>
  );
}
