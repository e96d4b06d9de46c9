// What the browser tests share: `cxco serve` on a free loopback port with its SQLite database in
// a temporary directory, and headless Chromium with a profile there. CXCO_BINARY overrides
// build/cxco, CHROMIUM /usr/bin/chromium.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

// playwright-core is installed in tools/node, not beside this file.
export const toolsRequire = createRequire(new URL('../../tools/node/package.json', import.meta.url));
const { chromium } = toolsRequire('playwright-core');

const root = fileURLToPath(new URL('../..', import.meta.url));
export const binary = process.env.CXCO_BINARY || join(root, 'build', 'cxco');

function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

export class CxcoServer {
  // Starts `cxco <args>` with `extraEnv` added to its configuration; `log` collects its output.
  static async start(prefix, args, extraEnv = {}) {
    const cx = new CxcoServer();
    cx.dir = await mkdtemp(join(tmpdir(), prefix));
    cx.base = `http://127.0.0.1:${await freePort()}`;
    cx.env = {
      PATH: process.env.PATH,
      CXCO_LISTEN: cx.base.slice('http://'.length),
      CXCO_DATABASE_URL: `sqlite://${join(cx.dir, 'cxco.db')}`,
      ...extraEnv,
    };
    cx.log = '';
    cx.process = spawn(binary, args, { env: cx.env, stdio: ['ignore', 'pipe', 'pipe'] });
    cx.process.stdout.on('data', (d) => (cx.log += d));
    cx.process.stderr.on('data', (d) => (cx.log += d));
    return cx;
  }

  // Polls `fn` until it gives something truthy; fails at once if the server has exited.
  async waitFor(what, fn, deadlineMs = 30_000) {
    const deadline = Date.now() + deadlineMs;
    let last;
    while (Date.now() < deadline) {
      if (this.process.exitCode !== null) throw new Error(`cxco serve exited with ${this.process.exitCode}:\n${this.log}`);
      try {
        last = await fn();
        if (last) return last;
      } catch (e) {
        last = e;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`timed out waiting for ${what} (last: ${last})\n${this.log.slice(-3000)}`);
  }

  healthy() {
    return this.waitFor('health', async () => (await fetch(`${this.base}/healthz`)).ok);
  }

  // Headless Chromium with its profile in the server's directory.
  launchChromium(viewport, extraArgs = []) {
    return chromium.launchPersistentContext(join(this.dir, 'chromium-profile'), {
      executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
             '--disable-background-networking', '--disable-component-update', '--disable-sync', ...extraArgs],
      viewport,
    });
  }

  // SIGTERM, waiting for the exit, then the directory goes.
  async stop() {
    if (this.process.exitCode === null) {
      const exited = new Promise((r) => this.process.once('exit', r));
      this.process.kill('SIGTERM');
      await exited;
    }
    await rm(this.dir, { recursive: true, force: true });
  }
}
