import { describe, expect, it } from 'vitest';
import type { RunSummary } from '../../shared/domain/types.js';
import { judgeOutput } from '../../shared/kinds/transform/judge-output.js';
import { measureOutput } from '../../shared/kinds/transform/measure-output.js';
import type { OutputChecks } from '../../shared/kinds/transform/output-checks.js';
import { parseTransformRequest } from '../../shared/kinds/transform/transform-request.js';

const ran = (csv: string, uniqueBy?: string[]): RunSummary => ({
  status: 'passed',
  exitCode: 0,
  durationMs: 100,
  transform: { ...measureOutput(csv, uniqueBy ? { uniqueBy } : {}), stored: true },
});

const checks: OutputChecks = {
  columns: ['region', 'amount_sum'],
  inputRows: 10,
  maxRows: 10,
  uniqueBy: ['region'],
};

describe('Function: measureOutput', () => {
  it('reads the header, counts rows, keeps quoted commas and newlines in one cell', () => {
    const measured = measureOutput('a,b\n1,"x, y"\n2,"line\nbreak"\n');

    expect(measured.columns.map((column) => column.name)).toEqual(['a', 'b']);
    expect(measured.rows).toBe(2);
    expect(measured.preview).toEqual([
      ['1', 'x, y'],
      ['2', 'line\nbreak'],
    ]);
  });

  it('finds a column in which every value is missing, and rows that repeat a key', () => {
    const measured = measureOutput('k,v\nx,\ny,\nx,\n', { uniqueBy: ['k'] });

    expect(measured.nullColumns).toEqual(['v']);
    expect(measured.duplicateKeyRows).toBe(1);
  });

  it('says so, rather than throwing, when the output is not a CSV', () => {
    const measured = measureOutput('a,b\n"unclosed\n');

    expect(measured.error).toMatch(/not a well-formed CSV/);
    expect(measured.rows).toBe(0);
  });

  it('reads a DataFrame with no columns as no columns', () => {
    expect(measureOutput('\n').columns).toEqual([]);
  });

  it('caps the preview at 50 rows', () => {
    const csv = `n\n${Array.from({ length: 120 }, (_, at) => String(at)).join('\n')}\n`;

    const measured = measureOutput(csv);

    expect(measured.rows).toBe(120);
    expect(measured.preview).toHaveLength(50);
  });
});

describe('Function: judgeOutput', () => {
  it('passes an output with the specified columns in order, within the rows, one per key', () => {
    const verdict = judgeOutput(checks, ran('region,amount_sum\nn,3\ns,4\n', ['region']));

    expect(verdict.passed).toBe(true);
    expect(verdict.checks.every((check) => check.passed)).toBe(true);
  });

  it('fails columns in another order, naming both', () => {
    const verdict = judgeOutput(checks, ran('amount_sum,region\n3,n\n', ['region']));

    expect(verdict.passed).toBe(false);
    expect(verdict.checks.find((check) => !check.passed)?.detail).toBe(
      'expected "region", "amount_sum", got "amount_sum", "region"',
    );
  });

  it('fails more rows than a filter allows, and a repeated group key', () => {
    const many = `region,amount_sum\n${Array.from({ length: 11 }, () => 'n,1').join('\n')}\n`;

    const verdict = judgeOutput(checks, ran(many, ['region']));

    expect(verdict.checks.filter((check) => !check.passed).map((check) => check.name)).toEqual([
      'at most 10 rows',
      'one row per "region"',
    ]);
  });

  it('fails an all-missing output column', () => {
    const verdict = judgeOutput(checks, ran('region,amount_sum\nn,\ns,\n', ['region']));

    expect(verdict.checks.find((check) => !check.passed)?.name).toBe('no column entirely missing');
  });

  it('never passes what did not run to completion', () => {
    const timedOut: RunSummary = {
      status: 'timeout',
      exitCode: null,
      durationMs: 3000,
      reason: 'time limit',
    };

    expect(judgeOutput(checks, timedOut)).toEqual({
      passed: false,
      checks: [{ name: 'ran', passed: false, detail: 'time limit' }],
    });
    expect(judgeOutput(checks, undefined).passed).toBe(false);
    expect(judgeOutput(checks, { status: 'passed', exitCode: 0, durationMs: 1 }).passed).toBe(false);
  });

  it('with no columns specified, asks only for some columns', () => {
    const open: OutputChecks = { columns: [], inputRows: 3 };

    expect(judgeOutput(open, ran('x\n1\n')).passed).toBe(true);
    expect(judgeOutput(open, ran('\n')).passed).toBe(false);
  });
});

describe('Function: parseTransformRequest', () => {
  it('takes a dataset and exactly one of instruction, spec or code', () => {
    expect(parseTransformRequest({ datasetId: 'ds_abc12345', instruction: 'drop duplicates' })).toEqual({
      datasetId: 'ds_abc12345',
      instruction: 'drop duplicates',
    });
  });

  it('names the field when none or two are given', () => {
    expect(() => parseTransformRequest({ datasetId: 'ds_abc12345' })).toThrow(
      expect.objectContaining({ field: 'instruction', message: 'give one of instruction, spec or code' }),
    );
    expect(() => parseTransformRequest({ datasetId: 'ds_abc12345', instruction: 'x', code: 'y' })).toThrow(
      expect.objectContaining({ field: 'code' }),
    );
  });

  it('takes code with the specification it implements', () => {
    expect(
      parseTransformRequest({ datasetId: 'ds_abc12345', spec: '## Objective', code: 'x' }),
    ).toMatchObject({
      spec: '## Objective',
      code: 'x',
    });
    expect(() => parseTransformRequest({ datasetId: 'ds_abc12345', instruction: 'a', spec: 'b' })).toThrow(
      expect.objectContaining({ field: 'spec' }),
    );
  });

  it('refuses an unknown field and a malformed dataset id', () => {
    expect(() => parseTransformRequest({ datasetId: 'ds_abc12345', code: 'x', extra: 1 })).toThrow(
      expect.objectContaining({ name: 'InvalidRequestError' }),
    );
    expect(() => parseTransformRequest({ datasetId: '../etc', code: 'x' })).toThrow(
      expect.objectContaining({ field: 'datasetId' }),
    );
  });
});
