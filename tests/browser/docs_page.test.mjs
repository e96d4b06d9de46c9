// The API reference page in a real browser: starts `cxco serve` (SQLite in a temporary
// directory), opens /docs in headless Chromium and checks that Redoc renders every endpoint of
// /openapi.json, with nothing fetched from anywhere but the server itself.
// Run by scripts/test-browser.sh; CXCO_BINARY overrides build/cxco, CXCO_SCREENSHOT names the
// screenshot file (default: a PNG in the temporary directory, removed afterwards).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';

import { CxcoServer } from './cxco_server.mjs';

let cx;
let base;
let dir;

before(async () => {
  cx = await CxcoServer.start('cxco-browser-', ['serve']);
  ({ base, dir } = cx);
  await cx.healthy();
});

after(async () => {
  if (cx) await cx.stop();
});

test('the API reference page renders every endpoint offline', { timeout: 120_000 }, async () => {
  const document = await (await fetch(`${base}/openapi.json`)).json();
  const methods = new Set(['get', 'put', 'post', 'delete', 'patch', 'options', 'head', 'trace']);
  const operations = Object.values(document.paths).flatMap((item) => Object.keys(item).filter((m) => methods.has(m)));
  assert.ok(operations.length >= 40, `only ${operations.length} operations in /openapi.json`);

  const context = await cx.launchChromium({ width: 1400, height: 1000 });
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
