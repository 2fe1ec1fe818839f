import './process-defaults.js';
import './polyfills.js';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CONSOLE_DIR } from './console-files.js';
import { startLocalStack } from './local-stack.js';

// Local secrets (model keys) come from .env when present; the environment wins.
if (existsSync('.env')) process.loadEnvFile('.env');

const port = Number(process.env.PORT ?? 3000);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`PORT must be a port number, got ${process.env.PORT}`);
  process.exit(2);
}
const dataDir = process.env.DATA_DIR ?? '.truth-engine';

const stack = await startLocalStack({ port, dataDir });
console.log(`Truth Engine local stack
  console    ${stack.consoleUrl}${existsSync(join(CONSOLE_DIR, 'index.html')) ? '' : '  (not built: npm run web:install && npm run build:web)'}
  HTTP API   ${stack.httpUrl}  (POST /v1/fixes, GET /v1/fixes/{id}, GET /health)
  WebSocket  ${stack.wsUrl}
  sandbox    ${stack.containment}
  data       ${dataDir}
  recovered  ${stack.recovered.resumed.length} resumed, ${stack.recovered.failed.length} marked failed
Try: npx pve fix infra/local/examples/average.py --test infra/local/examples/check_average.py`);

let stopping = false;
async function stop(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.log(`${signal}: stopping (unfinished sessions resume at the next start)`);
  const force = setTimeout(() => process.exit(1), 10_000);
  force.unref();
  await stack.close();
  process.exit(0);
}
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));
