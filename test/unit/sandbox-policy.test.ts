import { beforeAll, describe, expect, it } from 'vitest';
import {
  checkPolicy,
  DEFAULT_POLICIES,
  type PolicyCheckResult,
} from '../../shared/adapters/sandbox/index.js';
import { resolvePython } from '../../shared/adapters/sandbox/python-interpreter.js';

// Checked by the real interpreter, as before every run: one start for each batch.
let python: string;
beforeAll(async () => {
  python = (await resolvePython()).path;
});

async function check(
  sources: string[],
  kind: keyof typeof DEFAULT_POLICIES = 'fix',
): Promise<PolicyCheckResult[]> {
  return checkPolicy(python, sources, DEFAULT_POLICIES[kind]);
}

const ALLOWED = [
  'print("hello")',
  'import os\nprint(os.path.join("a", "b"), os.environ.get("HOME"))',
  'import re\npattern = re.compile(r"\\d+")',
  'import json, math, collections, itertools, functools, dataclasses, typing',
  'from pathlib import Path\nprint(Path("data.csv").read_text())',
  'with open("data.csv") as f:\n    rows = f.read().splitlines()',
  'open("out/result.txt", "w").write("ok")',
  'open("/dev/null", "w")',
  'import threading\nthreading.Thread(target=print).start()',
  'import asyncio\nasyncio.run(asyncio.sleep(0))',
  'class A:\n    def name(self):\n        return self.__class__.__name__',
  'import sys\nsys.exit(main())',
  'if __name__ == "__main__":\n    print(__file__)',
  'from . import helper',
  'import ast\nprint(ast.literal_eval("[1, 2]"))',
  'x = getattr(obj, "name", None)',
  'df.to_dict("records")',
  'def f(:\n    pass',
  'import program\nassert program.add(1, 2) == 3',
];

const BLOCKED: Array<[string, string, number]> = [
  ['import subprocess', 'blocked-import', 1],
  ['x = 1\nimport socket', 'blocked-import', 2],
  ['from ctypes import CDLL', 'blocked-import', 1],
  ['import multiprocessing.pool', 'blocked-import', 1],
  ['import importlib', 'blocked-import', 1],
  ['import pickle', 'blocked-import', 1],
  ['import shutil', 'blocked-import', 1],
  ['import urllib.request', 'blocked-import', 1],
  ['from http import client', 'blocked-import', 1],
  ['import requests', 'blocked-import', 1],
  ['from asyncio import subprocess', 'blocked-import', 1],
  ['import pty', 'blocked-import', 1],
  ['import signal', 'blocked-import', 1],
  ['import builtins', 'blocked-import', 1],
  ['import te_sandbox_guard', 'blocked-import', 1],
  ['import te_sandbox_disk', 'blocked-import', 1],
  ['def f():\n    import ftplib', 'blocked-import', 2],
  ['eval("1+1")', 'blocked-call', 1],
  ['exec("x = 1")', 'blocked-call', 1],
  ['compile("1", "f", "eval")', 'blocked-call', 1],
  ['__import__("os")', 'blocked-call', 1],
  ['f = eval', 'blocked-call', 1],
  ['import os\nos.system("id")', 'blocked-call', 2],
  ['import os as o\no.popen("id")', 'blocked-call', 2],
  ['from os import system as s\ns("id")', 'blocked-call', 1],
  ['import os\nos.execv("/bin/sh", ["sh"])', 'blocked-call', 2],
  ['import os\nos.spawnl(0, "/bin/sh")', 'blocked-call', 2],
  ['import os\nos.fork()', 'blocked-call', 2],
  ['import os\nos.kill(1, 9)', 'blocked-call', 2],
  ['import os\nos.killpg(0, 9)', 'blocked-call', 2],
  ['import os\nos.setsid()', 'blocked-call', 2],
  ['import os\nos.symlink("/etc", "x")', 'blocked-call', 2],
  ['import os\nos._exit(0)', 'blocked-call', 2],
  ['from os import *', 'blocked-call', 1],
  ['import sys\nsys.modules["os"]', 'blocked-call', 2],
  ['import sys\nsys._getframe(0)', 'blocked-call', 2],
  ['import asyncio\nasyncio.create_subprocess_shell("id")', 'blocked-call', 2],
  ['import pandas as pd\npd.read_pickle("x.pkl")', 'blocked-call', 2],
  ['getattr(__builtins__, "eval")', 'blocked-name', 1],
  ['().__class__.__bases__[0].__subclasses__()', 'blocked-attribute', 1],
  ['f.__globals__["os"]', 'blocked-attribute', 1],
  ['getattr(f, "__globals__")', 'blocked-attribute', 1],
  ['g = (x for x in [])\ng.gi_frame.f_back', 'blocked-attribute', 2],
  ['globals()["__builtins__"]', 'blocked-attribute', 1],
  ['open("/etc/shadow")', 'path-outside-workdir', 1],
  ['open("../../secret.txt")', 'path-outside-workdir', 1],
  ['open("~/.ssh/id_rsa")', 'path-outside-workdir', 1],
  ['import io\nio.open("/etc/passwd")', 'path-outside-workdir', 2],
  ['from pathlib import Path\nPath("/proc/1/environ").read_text()', 'path-outside-workdir', 2],
  ['import os\nos.listdir("/")', 'path-outside-workdir', 2],
  ['import os\nos.chdir("..")', 'path-outside-workdir', 2],
  ['import pandas as pd\npd.read_csv("/etc/passwd")', 'path-outside-workdir', 2],
  ['df.to_csv("/tmp/out.csv")', 'path-outside-workdir', 1],
];

describe('Function: checkPolicy (fix policy, real interpreter)', () => {
  it('lets ordinary programs, tests and syntax errors through', async () => {
    // Act
    const results = await check(ALLOWED);
    // Assess
    results.forEach((result, i) => {
      expect(result, ALLOWED[i]).toEqual({ ok: true });
    });
    expect(results).toHaveLength(ALLOWED.length);
  });

  it('refuses each blocked construct, naming the rule and the line', async () => {
    // Act
    const results = await check(BLOCKED.map(([source]) => source));
    // Assess
    expect(results).toHaveLength(BLOCKED.length);
    results.forEach((result, i) => {
      const [source, rule, line] = BLOCKED[i] ?? ['', '', 0];
      expect(result, source).toMatchObject({ ok: false, rule, line });
    });
  });
});

describe('Function: checkPolicy (transform policy)', () => {
  it('allows the data libraries and plain standard modules', async () => {
    const sources = [
      'import pandas as pd\nimport numpy as np\nimport openpyxl',
      'from openpyxl import load_workbook',
      'import csv, json, datetime, decimal, statistics, re, math',
      'import os.path',
    ];
    expect(await check(sources, 'transform')).toEqual(sources.map(() => ({ ok: true })));
  });

  it('refuses anything outside its allowlist, and the blocked list still applies', async () => {
    const results = await check(['import sqlite3', 'import tkinter', 'import subprocess'], 'transform');
    expect(results.map((r) => (r.ok ? 'ok' : r.rule))).toEqual([
      'import-not-allowed',
      'import-not-allowed',
      'blocked-import',
    ]);
  });
});

describe('Function: checkPolicy (relative to the original program)', () => {
  const policy = DEFAULT_POLICIES.fix;

  it('lets a candidate use what the original uses, and says so', async () => {
    // Prepare
    const original = 'import subprocess\nfrom os import system\nx = eval("1")\nopen("/data/in.csv")\n';
    const candidates = [
      'import subprocess\nsubprocess.run(["ls"])',
      'import subprocess.foo',
      'import os\nos.system("true")',
      'y = eval("2")',
      'open("/data/in.csv").read()',
    ];
    // Act
    const results = await checkPolicy(python, candidates, policy, { original });
    // Assess
    expect(results).toEqual([
      { ok: true, allowed: ['subprocess (import): present in the original'] },
      { ok: true, allowed: ['subprocess.foo (import): present in the original'] },
      { ok: true, allowed: ['os.system (call): present in the original'] },
      { ok: true, allowed: ['eval (call): present in the original'] },
      { ok: true, allowed: ['/data/in.csv (path): present in the original'] },
    ]);
  });

  it('still refuses anything new: another import, another call, another path', async () => {
    // Prepare
    const original = 'x = eval("1")\n';
    const candidates = [
      'import subprocess\ny = eval("2")',
      'exec("1")',
      'open("/etc/passwd")',
      'import socket',
    ];
    // Act
    const results = await checkPolicy(python, candidates, policy, { original });
    // Assess
    expect(results.map((r) => (r.ok ? 'ok' : `${r.rule}:${r.detail}`))).toEqual([
      'blocked-import:import of subprocess',
      'blocked-call:exec',
      "path-outside-workdir:open('/etc/passwd')",
      'blocked-import:import of socket',
    ]);
  });

  it("passes the original itself, which is the client's own code", async () => {
    const original = 'import pickle\nprint(eval("1 + 1"))\n';
    expect(await checkPolicy(python, [original], policy)).toMatchObject([{ ok: false }]);
    expect(await checkPolicy(python, [original], policy, { original })).toEqual([
      {
        ok: true,
        allowed: ['eval (call): present in the original', 'pickle (import): present in the original'],
      },
    ]);
  });
});

describe('Constant: DEFAULT_POLICIES', () => {
  it('has a policy for every problem kind', () => {
    expect(Object.keys(DEFAULT_POLICIES).sort()).toEqual(['fix', 'refactor', 'task', 'transform']);
  });

  it('keeps pandas, numpy and openpyxl importable for transform', () => {
    const transform = DEFAULT_POLICIES.transform;
    for (const lib of ['pandas', 'numpy', 'openpyxl']) {
      expect(transform.allowedImports).toContain(lib);
      expect(transform.blockedImports).not.toContain(lib);
    }
  });
});
