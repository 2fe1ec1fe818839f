'use client';
import { useRouter } from 'next/navigation';
import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiAlert } from '@/components/alert';
import { CodeEditor } from '@/components/monaco/editors';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { Input } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import { Tabs, TabsContent, TabsList, TabsTrigger } from '@/components/ui/tabs';
import { Textarea } from '@/components/ui/textarea';
import { errorText, postFix } from '@/lib/api';
import { alertOf, useConsole } from '@/lib/store';
import { blamedLine, isTraceback } from '@/lib/traceback';

export function FixForm() {
  const router = useRouter();
  const form = useConsole();
  const [busy, setBusy] = useState(false);
  const [note, setNote] = useState<string | null>(null);
  const formRef = useRef<HTMLFormElement>(null);

  const run = useCallback(async () => {
    const state = useConsole.getState();
    if (busy) return;
    setBusy(true);
    state.setAlert(null);
    try {
      const { sessionId } = await postFix({
        code: state.code,
        filename: state.filename.trim() || 'program.py',
        maxRounds: state.maxRounds,
        ...(state.error.trim() ? { error: state.error } : {}),
        ...(state.test.trim() ? { test: state.test } : {}),
      });
      state.follow(sessionId, state.code);
      router.push(`/sessions/${encodeURIComponent(sessionId)}`);
    } catch (error) {
      useConsole.getState().setAlert(alertOf(error));
      // A 429 means the quota bar is behind: read it again.
      if (useConsole.getState().alert?.status === 429) void useConsole.getState().loadIdentity();
    } finally {
      setBusy(false);
    }
  }, [busy, router]);

  // Ctrl/Cmd+Enter runs from anywhere on the page, the editors included (capture: before Monaco).
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        event.stopPropagation();
        // As the Run button would: the form's own checks (rounds 1–3), then submit.
        formRef.current?.requestSubmit();
      }
    };
    window.addEventListener('keydown', onKey, true);
    return () => window.removeEventListener('keydown', onKey, true);
  }, []);

  const takeTraceback = (text: string): boolean => {
    if (!isTraceback(text)) return false;
    const filename = useConsole.getState().filename.trim() || 'program.py';
    const line = blamedLine(text, filename);
    useConsole.getState().setForm({ error: text, errorLine: line });
    setNote(
      line === null
        ? `Traceback moved to "Error or traceback"; it names no line of ${filename}.`
        : `Traceback moved to "Error or traceback"; line ${line} of ${filename} is highlighted.`,
    );
    return true;
  };

  const loadExample = async () => {
    try {
      const response = await fetch('/examples/average.json');
      if (!response.ok) throw new Error(`the example could not be loaded (${response.status})`);
      const example = (await response.json()) as {
        filename: string;
        code: string;
        test: string;
        error: string;
      };
      const line = blamedLine(example.error, example.filename);
      form.setForm({ ...example, errorLine: line });
      setNote(`Example loaded: ${example.filename} with its test and traceback.`);
    } catch (error) {
      form.setAlert({ message: errorText(error) });
    }
  };

  return (
    <form
      ref={formRef}
      className="grid grid-cols-[minmax(0,1fr)] gap-4 lg:grid-cols-[minmax(0,1fr)_20rem]"
      aria-label="Fix a program"
      onSubmit={(event) => {
        event.preventDefault();
        void run();
      }}
    >
      <Card className="min-w-0">
        <CardHeader>
          <CardTitle>Program</CardTitle>
          <CardDescription>
            Paste a traceback into the editor and it goes to the error field. In an editor, Tab indents; press
            Ctrl+M first to make Tab move focus.
          </CardDescription>
        </CardHeader>
        <CardContent>
          <Tabs defaultValue="program">
            <TabsList aria-label="Files">
              <TabsTrigger value="program">Program</TabsTrigger>
              <TabsTrigger value="test">Test (optional)</TabsTrigger>
            </TabsList>
            <TabsContent value="program" forceMount className="data-[state=inactive]:hidden">
              <CodeEditor
                id="program"
                label={`Program editor (${form.filename || 'program.py'})`}
                value={form.code}
                onChange={(code) => form.setForm({ code })}
                highlightLine={form.errorLine}
                onPasteText={takeTraceback}
              />
            </TabsContent>
            <TabsContent value="test" forceMount className="data-[state=inactive]:hidden">
              <CodeEditor
                id="test"
                label="Test editor (reproduce_issue.py)"
                value={form.test}
                onChange={(test) => form.setForm({ test })}
                height={240}
              />
            </TabsContent>
          </Tabs>
          <p className="mt-2 min-h-5 text-sm text-slate-700" role="status" data-testid="form-note">
            {note}
          </p>
        </CardContent>
      </Card>
      <Card className="min-w-0">
        <CardContent className="grid grid-cols-[minmax(0,1fr)] gap-3 pt-4">
          <div className="grid grid-cols-[minmax(0,1fr)] gap-1.5">
            <Label htmlFor="error">Error or traceback</Label>
            <Textarea
              id="error"
              rows={8}
              wrap="off"
              value={form.error}
              placeholder="NameError: name 'totl' is not defined"
              onChange={(event) => {
                const error = event.target.value;
                const filename = form.filename.trim() || 'program.py';
                form.setForm({ error, errorLine: isTraceback(error) ? blamedLine(error, filename) : null });
              }}
            />
          </div>
          <div className="grid grid-cols-[minmax(0,1fr)] gap-1.5">
            <Label htmlFor="filename">File name</Label>
            <Input
              id="filename"
              value={form.filename}
              spellCheck={false}
              onChange={(event) => {
                const filename = event.target.value;
                form.setForm({
                  filename,
                  errorLine: isTraceback(form.error)
                    ? blamedLine(form.error, filename.trim() || 'program.py')
                    : null,
                });
              }}
            />
          </div>
          <div className="grid grid-cols-[minmax(0,1fr)] gap-1.5">
            <Label htmlFor="rounds">Rounds (1–3)</Label>
            <Input
              id="rounds"
              type="number"
              min={1}
              max={3}
              step={1}
              value={form.maxRounds}
              onChange={(event) => form.setForm({ maxRounds: Number(event.target.value) })}
            />
          </div>
          {form.alert && !form.sessionId ? <ApiAlert alert={form.alert} /> : null}
          <div className="flex flex-wrap gap-2">
            <Button type="submit" disabled={busy} aria-keyshortcuts="Control+Enter Meta+Enter">
              {busy ? 'Sending…' : 'Run'}
              <kbd className="hidden rounded bg-blue-900/40 px-1 text-xs sm:inline">Ctrl+Enter</kbd>
            </Button>
            <Button type="button" variant="outline" onClick={() => void loadExample()}>
              Load example
            </Button>
          </div>
        </CardContent>
      </Card>
    </form>
  );
}
