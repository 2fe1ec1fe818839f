import { describe, expect, it } from 'vitest';
import {
  LEVEL_LAYERS,
  launchCommand,
  levelFits,
  usesPrivateDisk,
} from '../../shared/adapters/sandbox/containment.js';
import { OutputCollector } from '../../shared/adapters/sandbox/output-collector.js';
import {
  NOT_COMPLETED_REASON,
  parseBootReport,
  type RunEnding,
  toOutcome,
} from '../../shared/adapters/sandbox/verdict.js';

const ENDING: RunEnding = {
  report: null,
  backstopFired: false,
  outputLimitHit: false,
  exitCode: 0,
  signal: null,
  timeoutMs: 1000,
  memoryMb: 512,
  outputLimitBytes: 1024,
};

describe('Function: parseBootReport', () => {
  it.each([
    ['exit\t0\t1\n', { kind: 'exit', code: 0, completed: true }],
    ['exit\t0\t0\n', { kind: 'exit', code: 0, completed: false }],
    ['exit\t0\n', { kind: 'exit', code: 0, completed: false }],
    ['exit\t3\t0\n', { kind: 'exit', code: 3, completed: false }],
    ['signal\t24\n', { kind: 'signal', signal: 24 }],
    ['timeout\n', { kind: 'timeout' }],
    ['memory\n', { kind: 'memory' }],
    [
      'blocked\tblocked-import\tprogram.py\t4\timport of socket\n',
      { kind: 'blocked', rule: 'blocked-import', file: 'program.py', line: 4, detail: 'import of socket' },
    ],
    ['error\thardening failed\n', { kind: 'error', message: 'hardening failed' }],
  ])('reads %j', (text, expected) => {
    expect(parseBootReport(text)).toEqual(expected);
  });

  it.each(['', 'exit\tnope', 'hello', 'signal\t'])('returns null for %j', (text) => {
    expect(parseBootReport(text)).toBeNull();
  });
});

describe('Function: toOutcome', () => {
  it('maps exit 0 with completion to passed and a non-zero exit to failed with its code', () => {
    expect(toOutcome({ ...ENDING, report: { kind: 'exit', code: 0, completed: true } })).toEqual({
      status: 'passed',
      exitCode: 0,
    });
    expect(toOutcome({ ...ENDING, report: { kind: 'exit', code: 2, completed: false } })).toEqual({
      status: 'failed',
      exitCode: 2,
      reason: 'exit status 2',
    });
  });

  it('fails exit 0 without completion, saying the process ended before the harness finished', () => {
    expect(toOutcome({ ...ENDING, report: { kind: 'exit', code: 0, completed: false } })).toEqual({
      status: 'failed',
      exitCode: 0,
      reason: NOT_COMPLETED_REASON,
    });
    expect(NOT_COMPLETED_REASON).toContain('exit status 0 without completion');
  });

  it('fails a non-zero exit even when the harness completed before it (a later failure wins)', () => {
    expect(toOutcome({ ...ENDING, report: { kind: 'exit', code: 3, completed: true } })).toMatchObject({
      status: 'failed',
      exitCode: 3,
    });
  });

  it('maps the deadline to timeout, whether the supervisor or the backstop saw it', () => {
    expect(toOutcome({ ...ENDING, report: { kind: 'timeout' } }).status).toBe('timeout');
    expect(toOutcome({ ...ENDING, backstopFired: true, signal: 'SIGKILL', exitCode: null }).status).toBe(
      'timeout',
    );
  });

  it('maps rlimit signals and the memory limit to crashed, saying which limit', () => {
    expect(toOutcome({ ...ENDING, report: { kind: 'signal', signal: 24 } })).toMatchObject({
      status: 'crashed',
      crashedBy: 'program',
      reason: 'SIGXCPU: CPU time limit',
    });
    expect(toOutcome({ ...ENDING, report: { kind: 'signal', signal: 25 } }).reason).toContain('file size');
    expect(toOutcome({ ...ENDING, report: { kind: 'memory' } })).toMatchObject({
      status: 'crashed',
      crashedBy: 'program',
      reason: 'memory limit (512 MiB) reached',
    });
  });

  it('maps a policy refusal to blocked, naming the rule, file and line', () => {
    const outcome = toOutcome({
      ...ENDING,
      report: { kind: 'blocked', rule: 'blocked-call', file: 'program.py', line: 7, detail: 'os.system' },
    });
    expect(outcome).toEqual({
      status: 'blocked',
      exitCode: null,
      reason: 'policy blocked-call at program.py:7: os.system',
    });
  });

  it('maps a failed start, an output flood and a missing report to crashed', () => {
    // A sandbox that cannot start says nothing about the program; an output flood is the program's doing.
    expect(toOutcome({ ...ENDING, spawnError: 'ENOENT' })).toMatchObject({
      status: 'crashed',
      crashedBy: 'sandbox',
    });
    expect(toOutcome({ ...ENDING, report: null })).toMatchObject({ crashedBy: 'sandbox' });
    expect(
      toOutcome({ ...ENDING, outputLimitHit: true, report: { kind: 'exit', code: 0, completed: true } }),
    ).toMatchObject({
      status: 'crashed',
      reason: 'output limit exceeded (more than 1024 bytes)',
    });
    expect(toOutcome({ ...ENDING, exitCode: 71 })).toMatchObject({ status: 'crashed', exitCode: null });
  });
});

describe('Class: OutputCollector', () => {
  it('keeps everything while it fits', () => {
    const c = new OutputCollector(100, 50);
    c.push(Buffer.from('hello '));
    c.push(Buffer.from('world'));
    expect(c.text()).toBe('hello world');
    expect(c.total).toBe(11);
  });

  it('keeps head and tail of a flood and counts what it dropped', () => {
    // Prepare
    const c = new OutputCollector(10, 10);
    // Act
    c.push(Buffer.from('0123456789'));
    c.push(Buffer.from('x'.repeat(1000)));
    c.push(Buffer.from('abcdefghij'));
    // Assess
    expect(c.total).toBe(1020);
    expect(c.text()).toBe('0123456789\n[… 1000 bytes dropped …]\nabcdefghij');
  });

  it('joins head and tail without duplicating when they overlap', () => {
    const c = new OutputCollector(10, 10);
    c.push(Buffer.from('0123456789abcde'));
    expect(c.text()).toBe('0123456789abcde');
  });
});

describe('Module: containment', () => {
  it('starts python under unshare only at the namespace levels', () => {
    const tools = { unshare: '/usr/bin/unshare', python: '/usr/bin/python3' };
    const ns = launchCommand('ns', tools, '/rt/boot.py', ['level=ns']);
    expect(ns.file).toBe('/usr/bin/unshare');
    expect(ns.args).toEqual(
      expect.arrayContaining(['--net', '--pid', '--fork', '--kill-child', '--mount-proc']),
    );
    expect(ns.args.slice(-4)).toEqual(['/usr/bin/python3', '-S', '/rt/boot.py', 'level=ns']);
    expect(launchCommand('userns', tools, '/b', []).args.slice(0, 2)).toEqual(['--user', '--map-root-user']);
    expect(launchCommand('process', tools, '/b', ['x=1'])).toEqual({
      file: '/usr/bin/python3',
      args: ['-S', '/b', 'x=1'],
    });
  });

  it('offers the root-only levels to root and the user-namespace level to everyone else', () => {
    expect(levelFits('ns', true)).toBe(true);
    expect(levelFits('ns', false)).toBe(false);
    expect(levelFits('uid', false)).toBe(false);
    expect(levelFits('userns', false)).toBe(true);
    expect(levelFits('process', false)).toBe(true);
  });

  it('lists the tmpfs disk cap at the ns level only, and says where only the per-file cap applies', () => {
    expect(LEVEL_LAYERS.ns).toEqual(expect.arrayContaining(['disk-cap-tmpfs', 'read-only-mounts']));
    expect(LEVEL_LAYERS.ns).not.toContain('disk-cap-per-file-only');
    for (const level of ['userns', 'uid', 'process'] as const) {
      expect(LEVEL_LAYERS[level]).toContain('disk-cap-per-file-only');
      expect(LEVEL_LAYERS[level]).not.toContain('disk-cap-tmpfs');
    }
    expect(usesPrivateDisk('ns')).toBe(true);
    expect(usesPrivateDisk('userns')).toBe(false);
  });

  it('lists a per-run uid only where the runner drops to one', () => {
    expect(LEVEL_LAYERS.ns).toContain('per-run-uid');
    expect(LEVEL_LAYERS.uid).toContain('per-run-uid');
    expect(LEVEL_LAYERS.process).not.toContain('per-run-uid');
    expect(LEVEL_LAYERS.process).toContain('subreaper-kill');
  });
});
