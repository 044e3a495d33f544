// Starts a real `udaconnect serve` (embedded store and log, demo data) on free ports in a
// temporary data directory, and stops it.

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const START_TIMEOUT_MS = 90_000;

/**
 * `options.args`: extra flags; `options.dir`: reuse this directory (a restart) instead of a
 * new one; `options.httpAddr`: listen there instead of a free port.
 */
export async function startServer(bin, options = {}) {
  const dir = options.dir || mkdtempSync(join(tmpdir(), 'udaconnect-ui-'));
  const child = spawn(bin, [
    'serve', '--http-addr', options.httpAddr || '127.0.0.1:0', '--grpc-addr', '127.0.0.1:0',
    '--data-dir', join(dir, 'data'), '--log', 'warn', ...(options.args || []),
  ], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => { out += d; });
  child.stderr.on('data', (d) => { err += d; });
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));

  const deadline = Date.now() + START_TIMEOUT_MS;
  let base = null;
  while (!base) {
    const m = out.match(/REST API\s+(http:\/\/[^\s]+)\/api\/persons/);
    if (m) base = m[1];
    else if (child.exitCode !== null) throw new Error(`udaconnect serve exited during start-up:\n${err}`);
    else if (Date.now() > deadline) throw new Error(`udaconnect serve printed no address in time:\n${err}`);
    else await new Promise((r) => setTimeout(r, 100));
  }
  // Ready once the store is open, the writer runs and the read model has caught up.
  for (;;) {
    try {
      const res = await fetch(`${base}/health/ready`);
      if (res.ok) break;
    } catch { /* not yet */ }
    if (Date.now() > deadline) throw new Error(`udaconnect serve never became ready:\n${err}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  // A fresh data directory: the banner shows the first admin's generated password once.
  const pw = out.match(/Sign in\s+username admin, password (\S+)/);
  return {
    base,
    dir,
    adminPassword: pw ? pw[1] : null,
    logs: () => err,
    /** SIGTERM (SIGKILL after 20 s); removes the data directory unless `keep`. */
    async stop({ keep = false } = {}) {
      let result = { code: child.exitCode, signal: null };
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
        result = await exited;
        clearTimeout(timer);
      }
      if (!keep) rmSync(dir, { recursive: true, force: true });
      return result;
    },
  };
}
