// The API reference page in a real browser: starts `cxco serve` (SQLite in a temporary
// directory), opens /docs in headless Chromium and checks that Redoc renders every endpoint of
// /openapi.json, with nothing fetched from anywhere but the server itself.
// Run by scripts/test-browser.sh; CXCO_BINARY overrides build/cxco, CXCO_SCREENSHOT names the
// screenshot file (default: a PNG in the temporary directory, removed afterwards).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

// playwright-core is installed in tools/node, not beside this file.
const require = createRequire(new URL('../../tools/node/package.json', import.meta.url));
const { chromium } = require('playwright-core');

const root = fileURLToPath(new URL('../..', import.meta.url));
const binary = process.env.CXCO_BINARY || join(root, 'build', 'cxco');

let dir;
let server;
let serverLog = '';
let base;

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

async function waitUntilHealthy(deadlineMs) {
  const deadline = Date.now() + deadlineMs;
  while (Date.now() < deadline) {
    if (server.exitCode !== null) throw new Error(`cxco serve exited with ${server.exitCode}:\n${serverLog}`);
    try {
      if ((await fetch(`${base}/healthz`)).ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`cxco serve did not become healthy:\n${serverLog}`);
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cxco-browser-'));
  base = `http://127.0.0.1:${await freePort()}`;
  server = spawn(binary, ['serve'], {
    env: {
      PATH: process.env.PATH,
      CXCO_LISTEN: base.slice('http://'.length),
      CXCO_DATABASE_URL: `sqlite://${join(dir, 'cxco.db')}`,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  server.stdout.on('data', (d) => (serverLog += d));
  server.stderr.on('data', (d) => (serverLog += d));
  await waitUntilHealthy(30_000);
});

after(async () => {
  if (server && server.exitCode === null) {
    const exited = new Promise((r) => server.once('exit', r));
    server.kill('SIGTERM');
    await exited;
  }
  if (dir) await rm(dir, { recursive: true, force: true });
});

test('the API reference page renders every endpoint offline', { timeout: 120_000 }, async () => {
  const document = await (await fetch(`${base}/openapi.json`)).json();
  const methods = new Set(['get', 'put', 'post', 'delete', 'patch', 'options', 'head', 'trace']);
  const operations = Object.values(document.paths).flatMap((item) => Object.keys(item).filter((m) => methods.has(m)));
  assert.ok(operations.length >= 40, `only ${operations.length} operations in /openapi.json`);

  const context = await chromium.launchPersistentContext(join(dir, 'chromium-profile'), {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
           '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1400, height: 1000 },
  });
  try {
    const page = await context.newPage();
    const foreign = [];
    const failures = [];
    const errors = [];
    // The page must work from the binary alone: anything not from the server is refused and noted.
    await page.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith(`${base}/`) || url.startsWith('data:') || url.startsWith('blob:')) return route.continue();
      foreign.push(url);
      return route.abort();
    });
    // The server's Content-Security-Policy stops third-party requests in the browser before they
    // are made (Redoc's footer logo); any other failure is a fault.
    page.on('requestfailed', (r) => {
      const reason = r.failure()?.errorText;
      if (reason !== 'csp' || r.url().startsWith(`${base}/`)) failures.push(`${r.url()}: ${reason}`);
    });
    page.on('pageerror', (e) => errors.push(String(e)));

    const response = await page.goto(`${base}/docs`, { waitUntil: 'load' });
    assert.equal(response.status(), 200);
    await page.getByRole('heading', { name: 'Create a draft agent' }).waitFor({ timeout: 60_000 });

    // Redoc gives every operation a section "tag/<tag>/operation/<operationId>".
    const rendered = await page.$$eval('[data-section-id*="/operation/"]', (sections) =>
      sections.map((s) => s.getAttribute('data-section-id')));
    for (const op of Object.values(document.paths).flatMap((item) => Object.values(item))) {
      if (op.operationId) assert.ok(rendered.some((id) => id.endsWith(`/operation/${op.operationId}`)),
                                    `${op.operationId} is not rendered`);
    }
    assert.ok(rendered.length >= operations.length, `${rendered.length} sections for ${operations.length} operations`);

    const text = await page.locator('body').innerText();
    for (const expected of ['CXCo API', 'Create a draft agent', 'Publish agent', 'Register webhook',
                            '/api/agents/{agent_id}/publish', 'X-API-Key', 'X-Admin-Key']) {
      assert.ok(text.includes(expected), `the page does not show "${expected}"`);
    }

    await page.screenshot({ path: process.env.CXCO_SCREENSHOT || join(dir, 'docs.png') });
    assert.deepEqual(foreign, [], 'the page asked for something other than the server');
    assert.deepEqual(failures, [], 'some requests failed');
    assert.deepEqual(errors, [], 'the page raised errors');
  } finally {
    await context.close();
  }
});
