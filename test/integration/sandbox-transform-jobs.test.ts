import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalSandboxRunner } from '../../shared/adapters/sandbox/index.js';
import type { TypedTable } from '../../shared/kinds/transform/dataset.js';
import { runTransformItem } from '../../shared/kinds/transform/use-cases/run-transform-item.js';
import type { ContentTransfer } from '../../shared/ports/content-transfer.js';
import type { SandboxRunner } from '../../shared/ports/sandbox-runner.js';

/**
 * Transform candidates through the real runner and the real harness (Debian's pandas under
 * /usr/bin/python3): what a well-behaved program hands back, and what becomes of hostile ones.
 */

const workRoot = join(tmpdir(), `te-sbx-transform-${process.pid}`);
let runner: SandboxRunner;
const uploads: Array<{ url: string; body: string }> = [];
const transfer: ContentTransfer = {
  read: async (content) => {
    if ('text' in content) return content.text;
    throw new Error('only inline content in this test');
  },
  upload: async (target, body) => {
    uploads.push({ url: target.url, body });
  },
};

const table: TypedTable = {
  columns: [
    { name: 'region', dtype: 'object' },
    { name: 'amount', dtype: 'float64' },
    { name: 'ordered', dtype: 'datetime64[ns]' },
    { name: 'units', dtype: 'int64' },
  ],
  rows: [
    ['north', 10.5, '2024-01-03', 1],
    ['south', 4, '2023-12-30', 2],
    ['north', null, '2024-02-01', 3],
    ['east, far', 7.25, '2024-03-09', 4],
    [null, 1, '2024-05-01', 5],
  ],
};

function run(
  code: string,
  options: { uniqueBy?: string[]; timeoutMs?: number; maxOutputBytes?: number } = {},
) {
  return runTransformItem(
    {
      runner,
      transfer,
      timeoutMs: options.timeoutMs ?? 20_000,
      log: { warn: () => undefined },
      maxOutputBytes: options.maxOutputBytes ?? 1024 * 1024,
    },
    {
      item: {
        sessionId: 'session',
        round: 1,
        index: 1,
        role: 'candidate',
        code: { text: code },
        output: { url: 'http://127.0.0.1:9/upload', fields: {}, maxBytes: 1024 * 1024 },
      },
      run: {
        kind: 'transform',
        table: { text: JSON.stringify(table) },
        ...(options.uniqueBy ? { uniqueBy: options.uniqueBy } : {}),
      },
    },
  );
}

const program = (body: string) => `import pandas as pd\n\n\ndef transform(df):\n${body}\n`;

beforeAll(async () => {
  runner = await createLocalSandboxRunner({ workRoot });
});

afterAll(async () => {
  await rm(workRoot, { recursive: true, force: true });
});

describe('Use case: runTransformItem, with the real runner and harness', () => {
  it('hands back the output measured outside the run, and sends the whole CSV up', async () => {
    // Act
    const result = await run(
      program(
        "    d = df[df['ordered'].dt.year == 2024]\n" +
          "    out = d.groupby('region', as_index=False)['amount'].sum()\n" +
          "    return out.sort_values('amount', ascending=False, kind='mergesort').reset_index(drop=True)",
      ),
      { uniqueBy: ['region'] },
    );

    // Assess
    expect(result.status, result.stderr).toBe('passed');
    expect(result.transform).toMatchObject({
      columns: [
        { name: 'region', dtype: 'object' },
        { name: 'amount', dtype: 'float64' },
      ],
      rows: 2,
      nullColumns: [],
      duplicateKeyRows: 0,
      stored: true,
    });
    // The dtypes the harness loaded: a missing amount sums as 0, the year filter read real datetimes.
    expect(result.transform?.preview).toEqual([
      ['north', '10.5'],
      ['east, far', '7.25'],
    ]);
    const sent = uploads.at(-1)?.body ?? '';
    expect(sent).toBe('region,amount\nnorth,10.5\n"east, far",7.25\n');
    expect(result.transform?.csvBytes).toBe(Buffer.byteLength(sent));
    expect(result.collected).toBeUndefined();
  });

  it('counts the rows that repeat a key and the columns left entirely missing', async () => {
    const result = await run(program("    df['nothing'] = None\n    return df[['region', 'nothing']]"), {
      uniqueBy: ['region'],
    });

    expect(result.status).toBe('passed');
    expect(result.transform?.duplicateKeyRows).toBe(1);
    expect(result.transform?.nullColumns).toEqual(['nothing']);
  });

  it('fails a program whose transform returns something other than a DataFrame, saying so', async () => {
    const result = await run(program("    return df['region']"));

    expect(result.status).toBe('failed');
    expect(result.stderr).toContain('returned Series, not a DataFrame');
    expect(result.transform).toBeUndefined();
  });

  it('blocks a program that imports subprocess before anything runs', async () => {
    const result = await run(`import subprocess\n${program("    subprocess.run(['id'])\n    return df")}`);

    expect(result.status).toBe('blocked');
    expect(result.reason).toContain('subprocess');
  });

  it('blocks a program that imports what the transform allow-list lacks', async () => {
    const result = await run(`import urllib.request\n${program('    return df')}`);

    expect(result.status).toBe('blocked');
    expect(result.reason).toContain('urllib');
  });

  it('does not let a program read /etc/passwd into its output', async () => {
    const result = await run(
      program("    return pd.DataFrame({'line': open('/etc/passwd').read().splitlines()})"),
    );

    expect(result.status).not.toBe('passed');
    expect(JSON.stringify(result)).not.toContain('root:x:0:0');
  });

  it('stops a program that loops forever at its time limit', async () => {
    const result = await run(program('    while True:\n        pass'), { timeoutMs: 3_000 });

    expect(result.status).toBe('timeout');
    expect(result.durationMs).toBeLessThan(15_000);
  });

  it('stops a program that allocates 10 GB', async () => {
    const result = await run(program('    block = bytearray(10 * 1024 ** 3)\n    return df'));

    expect(result.status).not.toBe('passed');
    expect(['crashed', 'failed']).toContain(result.status);
  });

  it('blocks a program that imports os to reach the disk itself', async () => {
    const result = await run(
      `import os\n${program("    os.symlink('/etc/passwd', 'output.csv')\n    return df")}`,
    );

    expect(result.status).toBe('blocked');
  });

  it('refuses an output larger than its cap instead of reading it', async () => {
    const result = await run(program("    return pd.DataFrame({'x': ['y' * 1000] * 200})"), {
      maxOutputBytes: 10_000,
    });

    expect(result.status).toBe('passed');
    expect(result.transform?.error).toMatch(/larger than 10000 bytes/);
    expect(result.transform?.stored).toBe(false);
  });
});

describe('Runner: collected files', () => {
  // An unchecked entry stands for whatever a run could leave behind if the policy let it through.
  const collect = (script: string) =>
    runner.run({
      files: { 'main.py': script },
      entry: 'main.py',
      checked: [],
      timeoutMs: 10_000,
      collect: [{ name: 'output.csv', maxBytes: 4096 }],
    });

  it('hands back a file the run left, byte for byte', async () => {
    const result = await collect("open('output.csv', 'w', newline='').write('a,b\\r\\n1,\\x1b[2\\n')\n");

    expect(result.status).toBe('passed');
    expect(result.collected).toEqual({ 'output.csv': 'a,b\r\n1,\x1b[2\n' });
  });

  it('never follows a link left in place of the file', async () => {
    const result = await collect("import os\nos.symlink('/etc/passwd', 'output.csv')\n");

    expect(result.status).toBe('passed');
    expect(result.collected).toEqual({});
    expect(result.collectErrors).toEqual(['output.csv: a link, not a file']);
    expect(JSON.stringify(result)).not.toContain('root:x:0:0');
  });

  it('does not block on a FIFO left in place of the file', async () => {
    const result = await collect("import os\nos.mkfifo('output.csv')\n");

    expect(result.status).toBe('passed');
    expect(result.collectErrors).toEqual(['output.csv: not a regular file']);
  });

  it('collects nothing from a run that did not complete', async () => {
    const result = await collect("open('output.csv', 'w').write('half')\nraise SystemExit(3)\n");

    expect(result.status).toBe('failed');
    expect(result.collected).toBeUndefined();
  });
});
