'use client';
// Loaded only through next/dynamic with ssr:false (see editors.tsx): Monaco touches window at import.
// loader.config({ monaco }) makes @monaco-editor/react use this bundled copy; without it the loader
// would inject a <script> from a CDN.
import Editor, { DiffEditor, loader } from '@monaco-editor/react';
import * as monaco from 'monaco-editor';
import { useEffect, useLayoutEffect, useRef } from 'react';

self.MonacoEnvironment = {
  getWorker() {
    // Only the generic editor worker: Python has no language worker. This literal form is what the
    // bundler detects and emits as a worker entry.
    return new Worker(new URL('monaco-editor/editor/editor.worker.js', import.meta.url), { type: 'module' });
  },
};
loader.config({ monaco });

declare global {
  interface Window {
    /** The console's editors, for tests and the curious. */
    __te?: {
      editors: Record<string, monaco.editor.IStandaloneCodeEditor>;
      diff?: monaco.editor.IStandaloneDiffEditor;
    };
  }
}

function registry() {
  window.__te ??= { editors: {} };
  return window.__te;
}

const baseOptions: monaco.editor.IStandaloneEditorConstructionOptions = {
  minimap: { enabled: false },
  fontSize: 14,
  scrollBeyondLastLine: false,
  automaticLayout: true,
  tabSize: 4,
  // The hidden textarea takes input (rather than the EditContext API): one well-trodden path for
  // typing, pasting and screen readers.
  editContext: false,
  fixedOverflowWidgets: true,
};

export interface CodeEditorProps {
  id: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  language?: string;
  /** 1-based line to highlight (the line a traceback blames), or null. */
  highlightLine?: number | null;
  /** A paste that should not go into the editor: return true to take it. */
  onPasteText?: (text: string) => boolean;
  height?: number | string;
}

export function CodeEditor({
  id,
  label,
  value,
  onChange,
  language = 'python',
  highlightLine = null,
  onPasteText,
  height = 320,
}: CodeEditorProps) {
  const editorRef = useRef<monaco.editor.IStandaloneCodeEditor | null>(null);
  const decorations = useRef<monaco.editor.IEditorDecorationsCollection | null>(null);
  const pasteRef = useRef(onPasteText);
  pasteRef.current = onPasteText;

  useEffect(() => {
    const editor = editorRef.current;
    if (!editor) return;
    decorations.current ??= editor.createDecorationsCollection();
    if (highlightLine === null) {
      decorations.current.clear();
      return;
    }
    decorations.current.set([
      {
        range: new monaco.Range(highlightLine, 1, highlightLine, 1),
        options: {
          isWholeLine: true,
          className: 'te-error-line',
          linesDecorationsClassName: 'te-error-gutter',
          hoverMessage: { value: 'The traceback blames this line' },
        },
      },
    ]);
    editor.revealLineInCenterIfOutsideViewport(highlightLine);
  });

  useEffect(
    () => () => {
      delete registry().editors[id];
    },
    [id],
  );

  return (
    <div className="overflow-hidden rounded-md border border-slate-300 bg-white" data-testid={`editor-${id}`}>
      <Editor
        height={height}
        language={language}
        value={value}
        onChange={(next) => onChange(next ?? '')}
        loading={<p className="p-3 text-sm text-slate-600">Loading editor…</p>}
        options={{ ...baseOptions, ariaLabel: label }}
        onMount={(editor) => {
          editorRef.current = editor;
          registry().editors[id] = editor;
          // Capture phase, on the editor's own node: seen before Monaco pastes the text.
          editor.getContainerDomNode().addEventListener(
            'paste',
            (event) => {
              const text = event.clipboardData?.getData('text/plain') ?? '';
              if (text && pasteRef.current?.(text)) {
                event.preventDefault();
                event.stopPropagation();
              }
            },
            true,
          );
        }}
      />
    </div>
  );
}

export interface DiffViewProps {
  original: string;
  modified: string;
  height?: number | string;
}

export function DiffView({ original, modified, height = 320 }: DiffViewProps) {
  const diffRef = useRef<monaco.editor.IStandaloneDiffEditor | null>(null);
  // @monaco-editor/react 4.7 disposes the models before the widget ("TextModel got disposed before
  // DiffEditorWidget model got reset"): keep them (props below) and detach and dispose them here,
  // as layout-effect cleanups run before the library's own.
  useLayoutEffect(
    () => () => {
      const editor = diffRef.current;
      if (!editor) return;
      const model = editor.getModel();
      editor.setModel(null);
      model?.original.dispose();
      model?.modified.dispose();
      if (registry().diff === editor) delete registry().diff;
    },
    [],
  );
  return (
    <div className="overflow-hidden rounded-md border border-slate-300 bg-white" data-testid="diff">
      <DiffEditor
        height={height}
        language="python"
        original={original}
        modified={modified}
        keepCurrentOriginalModel
        keepCurrentModifiedModel
        loading={<p className="p-3 text-sm text-slate-600">Loading diff…</p>}
        onMount={(editor) => {
          diffRef.current = editor;
          registry().diff = editor;
        }}
        options={{
          ...baseOptions,
          readOnly: true,
          // Side by side where there is room; one column on a phone (chosen here, not by Monaco's
          // own fallback, which swaps editors under the page).
          renderSideBySide: typeof window === 'undefined' || window.innerWidth >= 640,
          useInlineViewWhenSpaceIsLimited: false,
          lineNumbersMinChars: 3,
          originalEditable: false,
          ariaLabel: 'Original program (left) and the verified fix (right)',
        }}
      />
    </div>
  );
}
