#!/usr/bin/env node
// Runs the TypeScript CLI directly; tsx registers the loader for this process only.
import { register } from 'tsx/esm/api';

register();
const { pve } = await import('../../../shared/client/pve-cli.ts');
process.exitCode = await pve(
  process.argv.slice(2),
  {
    out: (line) => console.log(line),
    err: (line) => console.error(line),
    colour: process.stdout.isTTY === true,
  },
  process.env,
);
