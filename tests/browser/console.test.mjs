// The console (GET /console) in a real browser against the real `cxco serve --demo` (SQLite in a
// temporary directory, simulated providers, calls that last half a second): sign in with the
// keyboard, create and publish an agent with a success criterion and a data field (and see the
// API's "no numbers" refusal), simulate calls and find them by search, criterion and data
// filters, export them as CSV and JSONL, see and redo their analysis, open a transcript whose
// customer sent markup and script (shown as text, never run), play the recording, draw the usage
// charts with success by criterion, start a campaign from a CSV file and watch it
// finish, register a webhook and send it a test, create and revoke a key; an axe-core scan of
// every page in light and dark with no serious or critical violation; every page usable at
// 320 px; nothing requested from anywhere but the server.
// Run by scripts/test-browser.sh. CXCO_CONSOLE_SCREENSHOTS=DIR saves the README screenshots
// (console-conversations.png, console-usage.png) there, e.g. docs/images.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer as createHttpServer } from 'node:http';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { binary, CxcoServer, toolsRequire } from './cxco_server.mjs';

const axeSource = await readFile(toolsRequire.resolve('axe-core/axe.min.js'), 'utf8');
const SECRET = 'wsec_console_browser_test';

let cx;
let base;
let env;
let userKey;
let companyKey;
let context;
let page;
let hookServer;
let hookHits = 0;
const foreign = [];
const pageErrors = [];
const consoleErrors = [];

const waitFor = (what, fn, deadlineMs) => cx.waitFor(what, fn, deadlineMs);

async function api(method, path, body, key = userKey) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { 'X-API-Key': key, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : null };
}

// A post-call webhook as the voice provider sends it, signed with the platform secret.
async function postCall(externalAgentId, conversationId, transcript, summary, { started, duration = 75, direction = 'inbound' } = {}) {
  const now = Math.floor(Date.now() / 1000);
  const body = JSON.stringify({
    type: 'post_call_transcription',
    event_timestamp: now,
    data: {
      agent_id: externalAgentId,
      conversation_id: conversationId,
      status: 'done',
      transcript: transcript.map((t, i) => ({ role: t[0], message: t[1], time_in_call_secs: i * 4 })),
      metadata: {
        start_time_unix_secs: started ?? now - 90,
        call_duration_secs: duration,
        phone_call: { external_number: '+27825550199', direction },
      },
      analysis: { call_successful: 'success', transcript_summary: summary },
    },
  });
  const sig = createHmac('sha256', SECRET).update(`${now}.${body}`).digest('hex');
  const res = await fetch(`${base}/api/integrations/elevenlabs/post-call`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'ElevenLabs-Signature': `t=${now},v0=${sig}` },
    body,
  });
  assert.equal(res.status, 200, await res.text());
}

async function go(hash) {
  await page.goto(`${base}/console${hash}`);
}

// axe-core runs in the page through the DevTools protocol, which the page's CSP does not govern.
async function axe(label) {
  await page.evaluate(axeSource);
  const result = await page.evaluate(() =>
    // eslint-disable-next-line no-undef
    axe.run(document, { resultTypes: ['violations'], runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } }),
  );
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(
    bad.map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`),
    [],
    `accessibility violations on ${label}`,
  );
}

// Nothing wider than the viewport but scrollable tables.
async function fitsWidth(label) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 1, `${label} is ${overflow}px wider than the viewport`);
}

before(async () => {
  cx = await CxcoServer.start('cxco-console-', ['serve', '--demo'], {
    CXCO_ELEVENLABS_WEBHOOK_SECRET: SECRET,
    CXCO_SIM_CALL_SECONDS: '0.5',
    CXCO_WEBHOOK_ALLOW_PRIVATE: '1',
    CXCO_WEBHOOK_RETRY_SCHEDULE: '0.2,0.2',
  });
  ({ base, env } = cx);
  await waitFor('the demo keys', () => /user key:\s+(\S+)/.test(cx.log) && /company key:\s+(\S+)/.test(cx.log));
  userKey = cx.log.match(/user key:\s+(\S+)/)[1];
  companyKey = cx.log.match(/company key:\s+(\S+)/)[1];
  await cx.healthy();

  hookServer = createHttpServer((req, res) => {
    hookHits++;
    req.resume();
    req.on('end', () => {
      res.writeHead(200);
      res.end('ok');
    });
  });
  await new Promise((r) => hookServer.listen(0, '127.0.0.1', r));

  context = await cx.launchChromium({ width: 1280, height: 900 }, ['--autoplay-policy=no-user-gesture-required']);
  page = await context.newPage();
  await page.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(`${base}/`) || url.startsWith('data:') || url.startsWith('blob:')) return route.continue();
    foreign.push(url);
    return route.abort();
  });
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  page.on('console', (m) => {
    // A refused API call logs a failed request; the tests look at what the page shows for those.
    if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) consoleErrors.push(m.text());
  });
  page.on('dialog', (d) => d.accept());
});

after(async () => {
  if (context) await context.close();
  if (hookServer) hookServer.close();
  if (cx) await cx.stop();
});

test('the console is served from the binary under a strict Content-Security-Policy', async () => {
  for (const path of ['/console', '/console/assets/console.js', '/console/assets/console.css', '/console/assets/console.licenses.txt']) {
    const res = await fetch(`${base}${path}`);
    assert.equal(res.status, 200, path);
    const csp = res.headers.get('content-security-policy');
    assert.match(csp, /default-src 'none'/, path);
    assert.match(csp, /script-src 'self';/, path);
    assert.match(csp, /style-src 'self';/, path);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|https?:/, path);
  }
  assert.equal((await fetch(`${base}/console/assets/nope.js`)).status, 404);
});

test('sign in with the keyboard; the key is kept for the tab only', { timeout: 60_000 }, async () => {
  await go('');
  await page.getByRole('heading', { name: 'Sign in to the CXCo console' }).waitFor();
  await axe('the sign-in page');
  // A wrong key is refused with the reason.
  await page.getByLabel('User key').fill('cxco_user_k_not_a_real_key_000000000000000');
  await page.keyboard.press('Enter');
  await page.getByText('That key is not valid').waitFor();
  // The company key is not a user key.
  await page.getByLabel('User key').fill(companyKey);
  await page.keyboard.press('Enter');
  await page.getByText('That is not a user key').waitFor();
  await page.getByLabel('User key').fill('');
  await page.getByLabel('User key').focus();
  await page.keyboard.type(userKey);
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: 'Agents', level: 1 }).waitFor();
  await page.getByText('Demo User').waitFor();
  const stored = await page.evaluate(() => ({
    session: Object.keys(sessionStorage),
    local: Object.keys(localStorage).length,
    cookie: document.cookie,
  }));
  assert.ok(stored.session.some((k) => k.includes('user_key')));
  assert.equal(stored.local, 0, 'nothing in localStorage');
  assert.equal(stored.cookie, '', 'no cookie');
  // A reload keeps the session of the tab.
  await page.reload();
  await page.getByRole('heading', { name: 'Agents', level: 1 }).waitFor();
});

let agentId;
let externalAgentId;

test('create and publish an agent; a refused publish shows the API\'s reason', { timeout: 60_000 }, async () => {
  await go('#/agents');
  await page.getByRole('link', { name: 'New agent' }).click();
  await page.getByRole('heading', { name: 'New agent' }).waitFor();
  await page.getByLabel('Name').fill('Front desk');
  await page.getByLabel('Personality').fill('You are the friendly front desk of Acme Dental.');
  await page.getByLabel('Opening line').fill('Hello, Acme Dental, how can I help?');
  const voices = await page.locator('select[name=voice_id] option').count();
  assert.ok(voices >= 1, 'the voice picker lists voices');
  // Analysis settings (platform.md section 8): one success criterion and one data field.
  await page.getByRole('button', { name: 'Add criterion' }).click();
  const criterion = page.getByRole('group', { name: 'Criterion 1' });
  await criterion.getByLabel('Id').fill('booked');
  await criterion.getByLabel('Name').fill('Booked a visit');
  await criterion.getByLabel('Prompt').fill('The caller booked an appointment.');
  await page.getByRole('button', { name: 'Add data field' }).click();
  const field = page.getByRole('group', { name: 'Data field 1' });
  await field.getByLabel('Id').fill('visit_type');
  await field.getByLabel('Type').selectOption('string');
  await field.getByLabel('Description').fill('What the visit is for');
  await field.getByLabel(/Allowed values/).fill('check-up, cleaning');
  await axe('the agent form');
  await page.getByRole('button', { name: 'Create draft agent' }).click();
  const row = page.locator('tr', { hasText: 'Front desk' });
  await row.getByText('draft').waitFor();
  agentId = Number(await row.getAttribute('data-agent-id'));
  await row.getByRole('button', { name: /Publish/ }).click();
  await row.getByText('active').waitFor();
  await row.getByText('+2721').waitFor();
  await page.getByRole('status').getByText('published').waitFor();
  const created = (await api('GET', `/api/agents/${agentId}`)).json;
  externalAgentId = created.external_agent_id;
  assert.ok(externalAgentId);
  assert.deepEqual(created.analysis, {
    criteria: [{ id: 'booked', name: 'Booked a visit', prompt: 'The caller booked an appointment.' }],
    data_fields: [{ id: 'visit_type', type: 'string', description: 'What the visit is for', enum: ['check-up', 'cleaning'] }],
  });
  // The form reads the settings back for editing.
  await row.getByRole('link', { name: 'Front desk', exact: true }).click();
  await page.getByRole('heading', { name: `Edit agent #${agentId}` }).waitFor();
  assert.equal(await page.getByRole('group', { name: 'Criterion 1' }).getByLabel('Id').inputValue(), 'booked');
  assert.equal(await page.getByRole('group', { name: 'Data field 1' }).getByLabel(/Allowed values/).inputValue(), 'check-up, cleaning');
  await go('#/agents');

  // The demo pool has two GB numbers: take both, then ask for a third.
  for (const name of ['GB one', 'GB two', 'GB three']) {
    const created = await api('POST', '/api/agents/', { name, personality: 'p', opening_line: 'o', voice_id: 1 });
    assert.equal(created.status, 201);
    if (name !== 'GB three') assert.equal((await api('POST', `/api/agents/${created.json.id}/publish`, { country_code: 'GB' })).status, 200);
  }
  await page.reload();
  const third = page.locator('tr', { hasText: 'GB three' });
  await third.getByLabel(/Country of the number/).selectOption('GB');
  await third.getByRole('button', { name: /Publish/ }).click();
  const alert = page.getByRole('alert');
  await alert.waitFor();
  assert.match(await alert.innerText(), /GB three:.*(no .*number|available)/i);
  assert.match(await alert.innerText(), /no_numbers_available/);

  // Pause and resume from the list.
  const gbOne = page.locator('tr', { hasText: 'GB one' });
  await gbOne.getByRole('button', { name: /Pause/ }).click();
  await gbOne.getByText('paused').waitFor();
  await gbOne.getByRole('button', { name: /Resume/ }).click();
  await gbOne.getByText('active').waitFor();
  await axe('the agents page');
});

test('simulated calls appear; a transcript with markup renders as text; the recording plays', { timeout: 90_000 }, async () => {
  const { stdout } = await promisify(execFile)(binary, ['dev', 'simulate-call', '--agent-id', String(agentId), '--count', '3'], { env });
  assert.equal(stdout.trim().split('\n').length, 3);
  await postCall(externalAgentId, 'conv_hostile_1', [
    ['agent', 'Hello, Acme Dental, how can I help?'],
    ['user', '<script>window.__pwned = 1</script> I need a check-up'],
    ['user', '<img src=x onerror="window.__pwned = 2"> and <b>bold</b> & "quotes"'],
    ['agent', 'Of course, Tuesday at nine? Our Zanzibar Road branch.'],
  ], '<i>Booked</i> a check-up <script>window.__pwned = 3</script>');

  await go('#/conversations');
  await page.getByRole('heading', { name: 'Conversations', level: 1 }).waitFor();
  await page.locator('tr[data-conversation-id]').nth(3).waitFor();
  assert.equal(await page.locator('tr[data-conversation-id]').count(), 4);
  // The summary shows as typed, in the list too.
  await page.getByText('<i>Booked</i> a check-up').waitFor();
  if (process.env.CXCO_CONSOLE_SCREENSHOTS) await page.screenshot({ path: join(process.env.CXCO_CONSOLE_SCREENSHOTS, 'console-conversations.png'), fullPage: true });
  await axe('the conversations page');

  // Full-text search, where the server has it (platform.md section 8: `q` on the list).
  const apiDoc = await (await fetch(`${base}/openapi.json`)).json();
  const listParams = (apiDoc.paths['/api/conversations/'] || apiDoc.paths['/api/conversations']).get.parameters || [];
  if (listParams.some((p) => p.name === 'q' || (p.$ref || '').endsWith('/q'))) {
    await page.getByLabel('Search transcripts').fill('zanzibar');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForURL(/q=zanzibar/);
    await page.locator('tr[data-conversation-id]').first().waitFor();
    await waitFor('one search result', async () => (await page.locator('tr[data-conversation-id]').count()) === 1);
    await page.getByRole('button', { name: 'Clear' }).click();
    await page.locator('tr[data-conversation-id]').nth(3).waitFor();
  }

  // Search for words of the simulated calls: the three of them, not the hostile one.
  await page.getByLabel('Search transcripts').fill('pricing');
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await page.waitForURL(/q=pricing/);
  await waitFor('three search results', async () => (await page.locator('tr[data-conversation-id]').count()) === 3);
  assert.equal(await page.locator('tr', { hasText: '<i>Booked</i>' }).count(), 0);
  await page.getByRole('button', { name: 'Clear' }).click();
  await page.locator('tr[data-conversation-id]').nth(3).waitFor();

  // A criterion filter: as many rows as the API counts successes.
  const successes = (await api('GET', '/api/conversations/?criteria=booked:success')).json.items.length;
  await page.getByLabel('Criterion result').fill('booked:success');
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await page.waitForURL(/criteria=booked%3Asuccess/);
  if (successes === 0) await page.getByText('No conversations match.').waitFor();
  else await waitFor(`${successes} successes`, async () => (await page.locator('tr[data-conversation-id]').count()) === successes);
  await page.getByRole('button', { name: 'Clear' }).click();
  await page.locator('tr[data-conversation-id]').nth(3).waitFor();

  // A data filter, then an export of what it matches: the simulated calls carry visit_type.
  await page.getByLabel('Collected data').fill('visit_type:exists');
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await page.waitForURL(/data=visit_type%3Aexists/);
  await waitFor('three conversations with visit_type', async () => (await page.locator('tr[data-conversation-id]').count()) === 3);
  await axe('the conversations page with section 8 filters');
  const exported = async (format) => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: `Export ${format}` }).click()]);
    assert.equal(download.suggestedFilename(), `conversations.${format.toLowerCase()}`);
    return readFile(await download.path(), 'utf8');
  };
  const csvRows = (await exported('CSV')).trim().split(/\r?\n/);
  assert.equal(csvRows.length, 4, `a header and three rows:\n${csvRows.join('\n')}`);
  assert.match(csvRows[0], /^id,agent_id,channel,direction,caller_number,started_at,ended_at,duration_seconds,status,call_successful,transcript_summary/);
  assert.match(csvRows[0], /criteria\.booked/);
  assert.match(csvRows[0], /data\.visit_type/);
  for (const r of csvRows.slice(1)) assert.match(r, /Pro plan pricing.*(check-up|cleaning)/);
  const jsonl = (await exported('JSONL')).trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(jsonl.length, 3);
  for (const c of jsonl) {
    assert.match(c.analysis.criteria.booked.result, /^(success|failure)$/);
    assert.match(c.analysis.data.visit_type.value, /^(check-up|cleaning)$/);
    assert.ok(c.transcript.length > 0);
  }

  // One of them: its analysis results, by the criterion's name.
  await page.locator('tr[data-conversation-id]').first().getByRole('link').click();
  await page.getByRole('heading', { name: 'Analysis', level: 2 }).waitFor();
  const criteriaTable = page.getByRole('table', { name: 'Success criteria' });
  await criteriaTable.getByRole('rowheader', { name: 'Booked a visit booked' }).waitFor();
  assert.match(await criteriaTable.locator('tbody tr').innerText(), /booked[\s\S]*(success|failure)[\s\S]*(got what they asked for|ended before)/);
  const dataTable = page.getByRole('table', { name: 'Collected data' });
  assert.match(await dataTable.locator('tbody tr').innerText(), /visit_type[\s\S]*What the visit is for[\s\S]*(check-up|cleaning)/);
  await axe('a conversation with analysis');
  // Re-analysis with the agent's current settings (the demo's simulated LLM answers).
  await page.getByRole('button', { name: /Analyse again/ }).click();
  await page.getByRole('button', { name: /Analyse again/ }).waitFor();
  await page.getByRole('table', { name: 'Success criteria' }).getByRole('rowheader', { name: 'Booked a visit booked' }).waitFor();
  assert.equal(await page.getByRole('alert').count(), 0, 'the re-analysis was refused');
  await go('#/conversations');
  await page.locator('tr[data-conversation-id]').nth(3).waitFor();

  // Filter by agent through the form.
  await page.getByLabel('Agent').selectOption(String(agentId));
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await page.waitForURL(new RegExp(`agent_id=${agentId}`));

  await page.locator('tr', { hasText: '<i>Booked</i>' }).getByRole('link').click();
  await page.getByRole('heading', { name: /Conversation #/ }).waitFor();
  const transcript = page.getByRole('list', { name: 'Transcript' });
  await transcript.getByText('<script>window.__pwned = 1</script> I need a check-up').waitFor();
  await transcript.getByText('<img src=x onerror="window.__pwned = 2"> and <b>bold</b> & "quotes"').waitFor();
  assert.equal(await page.locator('main script, main img, main b, main i').count(), 0, 'customer markup became elements');
  assert.equal(await page.evaluate(() => window.__pwned), undefined, 'customer script ran');

  // The recording: fetched with the key, played from a blob: URL.
  const audio = page.locator('audio[data-testid="recording"]');
  await audio.waitFor();
  assert.match(await audio.getAttribute('src'), /^blob:/);
  const played = await audio.evaluate(async (a) => {
    if (a.readyState < 1) await new Promise((r, j) => { a.onloadedmetadata = r; a.onerror = () => j(new Error('audio error')); });
    await a.play();
    // Playing, and the position moves (a loaded machine may take a while to start).
    for (let i = 0; i < 100 && a.currentTime === 0 && !a.ended; i++) await new Promise((r) => setTimeout(r, 100));
    return { duration: a.duration, time: a.ended ? a.duration : a.currentTime };
  });
  assert.ok(played.duration > 0, `duration ${played.duration}`);
  assert.ok(played.time > 0, 'the recording did not advance');
  await axe('a conversation');
});

// Calls of the past days for three agents, some outbound, so the charts have something to stack.
async function seedHistory() {
  const agents = (await api('GET', '/api/agents/?status=active')).json.items;
  let n = 0;
  for (let day = 1; day <= 5; day++) {
    for (const [k, agent] of agents.entries()) {
      for (let i = 0; i < ((day + k) % 3) + 1; i++) {
        const started = Math.floor(Date.now() / 1000) - day * 86_400 - i * 600;
        await postCall(agent.external_agent_id, `conv_history_${day}_${agent.id}_${i}`, [['agent', 'Hello'], ['user', 'Hi']],
                       'An earlier call.', { started, duration: 60 + 45 * ((day + i + k) % 5), direction: i % 2 ? 'outbound' : 'inbound' });
        n++;
      }
    }
  }
  return n;
}

test('the usage page draws its charts for the range in the URL', { timeout: 60_000 }, async () => {
  const seeded = await seedHistory();
  const today = new Date().toISOString().slice(0, 10);
  const start = new Date(Date.now() - 6 * 86_400_000).toISOString().slice(0, 10);
  await go(`#/usage?start_date=${start}&end_date=${today}`);
  await page.getByRole('heading', { name: 'Usage', level: 1 }).waitFor();
  const bars = page.locator('svg[data-testid="chart-minutes"] rect.bar');
  await bars.first().waitFor();
  assert.ok((await bars.count()) >= 1);
  assert.ok((await page.locator('svg[data-testid="chart-conversations"] rect.bar').count()) >= 1);
  assert.ok((await page.locator('svg[data-testid="chart-direction"] rect.bar').count()) >= 1);
  assert.match(await page.locator('svg[data-testid="chart-conversations"]').getAttribute('aria-label'),
               new RegExp(`: ${4 + seeded} conversations over 7 days`));
  assert.ok((await page.locator('svg[data-testid="chart-minutes"] rect.bar').count()) >= 6, 'bars for several days and agents');
  assert.ok((await page.locator('svg[data-testid="chart-direction"] rect.s2').count()) >= 1, 'outbound conversations drawn');
  assert.equal(await page.getByLabel('From').inputValue(), start);
  // Success by criterion (GET /api/usage/analysis): the simulated calls' results for "booked".
  const outcome = (await api('GET', `/api/usage/analysis?start_date=${start}&end_date=${today}`)).json.criteria.booked;
  const judged = outcome.success + outcome.failure + outcome.unknown;
  assert.ok(judged >= 3, JSON.stringify(outcome));
  const criteriaChart = page.locator('svg[data-testid="chart-criteria"]');
  await criteriaChart.waitFor();
  assert.equal(await criteriaChart.getAttribute('aria-label'), `Success by criterion: ${judged} conversations across 1 criterion`);
  assert.ok((await criteriaChart.locator('rect.bar').count()) >= 1);
  assert.match(await criteriaChart.textContent(), /booked/);
  // Its figures as a table: success, failure, unknown and the total for "booked".
  const figure = page.locator('figure', { has: criteriaChart });
  await figure.locator('summary').click();
  const cells = await figure.locator('tbody tr', { hasText: 'booked' }).locator('td').allInnerTexts();
  assert.deepEqual(cells.map(Number), [outcome.success, outcome.failure, outcome.unknown, judged]);
  if (process.env.CXCO_CONSOLE_SCREENSHOTS) await page.screenshot({ path: join(process.env.CXCO_CONSOLE_SCREENSHOTS, 'console-usage.png'), fullPage: true });
  await axe('the usage page');
  // A new range goes into the URL.
  await page.getByLabel('From').fill(today);
  await page.getByRole('button', { name: 'Show' }).click();
  await page.waitForURL(new RegExp(`start_date=${today}`));
});

test('a campaign from a CSV file: rows checked before sending, then watched to the end', { timeout: 120_000 }, async () => {
  await go('#/campaigns');
  await page.getByRole('heading', { name: 'Calls & campaigns', level: 1 }).waitFor();
  await axe('the calls and campaigns page');
  await page.getByRole('link', { name: /New campaign/ }).click();
  await page.getByRole('heading', { name: 'New campaign' }).waitFor();
  await page.getByLabel('Name').fill('Check-up reminders');
  await page.getByLabel('Agent').selectOption(String(agentId));
  const csv = [
    'phone_number,timezone,external_id,first_name',
    '+27825550105,Africa/Johannesburg,p-1,Thandi',
    '+27825550106,,p-2,"Smith, Jo"',
    '+27825550101,,p-3,Busy Bee',
    '0825550107,,p-4,Local format',
    '+27825550105,,p-5,Twice',
    '+27825550108,Mars/Olympus,p-6,Nowhere',
  ].join('\n');
  await page.getByLabel('Recipients (CSV file)').setInputFiles({ name: 'reminders.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  const preview = page.getByTestId('csv-preview');
  await preview.getByText('6 recipients read, 3 ready, 3 with errors.').waitFor();
  const errors = await page.getByTestId('csv-errors').innerText();
  assert.match(errors, /Line 5: 0825550107 is not an E.164 number/);
  assert.match(errors, /Line 6: \+27825550105 is already on line 2/);
  assert.match(errors, /Line 7: Mars\/Olympus is not an IANA time zone/);
  await preview.getByText('Smith, Jo').waitFor();
  const start = page.getByRole('button', { name: /Start campaign/ });
  assert.equal(await start.isDisabled(), true, 'a file with bad rows is not sent as it is');
  await page.getByLabel(/Leave out the 3 rows/).check();
  await page.getByLabel('Attempts per recipient').fill('1');
  await axe('the new campaign form');
  await start.click();
  await page.getByRole('heading', { name: 'Check-up reminders' }).waitFor();
  const progress = page.getByTestId('campaign-progress');
  await progress.waitFor();
  assert.equal(await progress.getAttribute('max'), '3');
  await page.getByText('3 / 3 finished').waitFor({ timeout: 60_000 });
  await page.getByTestId('campaign-status').getByText('completed').waitFor({ timeout: 30_000 });
  assert.equal(await progress.getAttribute('value'), '3');
  const table = page.getByRole('table', { name: 'Recipients' });
  await table.getByText('+27825550101').waitFor();
  await table.locator('tr', { hasText: '+27825550101' }).getByText('busy').waitFor();
  await table.locator('tr', { hasText: '+27825550105' }).getByText('completed').first().waitFor();
  await axe('a campaign');
});

test('webhooks ask for the company key and say why; a test delivery shows in the log', { timeout: 60_000 }, async () => {
  await go('#/webhooks');
  await page.getByRole('heading', { name: 'Company key needed' }).waitFor();
  await page.getByText('answers only to the company key').waitFor();
  await axe('the webhooks page (company key prompt)');
  await page.getByLabel('Company key', { exact: true }).fill(userKey);
  await page.getByRole('button', { name: 'Use company key' }).click();
  await page.getByText('That is not a valid company key.').waitFor();
  await page.getByLabel('Company key', { exact: true }).fill(companyKey);
  await page.getByRole('button', { name: 'Use company key' }).click();
  await page.getByRole('heading', { name: 'Register a webhook' }).waitFor();
  await page.getByLabel('URL').fill(`http://127.0.0.1:${hookServer.address().port}/hook`);
  await page.getByRole('button', { name: 'Register webhook' }).click();
  await page.getByText('Its signing secret, shown this once').waitFor();
  await page.getByRole('button', { name: /Deliveries/ }).click();
  await page.getByRole('button', { name: 'Send a test event' }).click();
  await page.getByText(/Test event evt_\S+ queued/).waitFor();
  await waitFor('the test delivery', async () => {
    await page.getByRole('button', { name: 'Refresh' }).click();
    return (await page.locator('section tr', { hasText: 'webhook.test' }).count()) > 0;
  });
  const delivery = page.locator('section tr', { hasText: 'webhook.test' }).first();
  await delivery.getByRole('cell', { name: '200', exact: true }).waitFor();
  await delivery.getByText(/\d+ ms/).waitFor();
  assert.ok(hookHits >= 1);
  await axe('the webhooks page');
});

test('settings: create a scoped key, see it work, revoke it; the do-not-call list', { timeout: 60_000 }, async () => {
  await go('#/settings');
  await page.getByRole('heading', { name: 'API keys' }).waitFor();
  await page.getByLabel('Name', { exact: true }).fill('Support dashboard');
  await page.getByLabel('conversations:read').check();
  await page.getByRole('button', { name: 'Create key' }).click();
  const key = await page.getByTestId('new-key').innerText();
  assert.match(key, /^cxco_key_/);
  assert.equal((await api('GET', '/api/conversations/', null, key)).status, 200);
  assert.equal((await api('GET', '/api/agents/', null, key)).status, 403);
  await page.locator('tr', { hasText: 'Support dashboard' }).getByRole('button', { name: /Revoke/ }).click();
  await page.locator('tr', { hasText: 'Support dashboard' }).waitFor({ state: 'detached' });
  assert.equal((await api('GET', '/api/conversations/', null, key)).status, 401);

  await page.getByLabel('Number', { exact: true }).fill('+27825550109');
  await page.getByLabel('Reason (optional)').fill('asked <not> to be called');
  await page.getByRole('button', { name: 'Add to the list' }).click();
  await page.locator('tr', { hasText: '+27825550109' }).getByText('asked <not> to be called').waitFor();
  // Provider credentials use the company key given on the webhooks page (same tab).
  await page.getByRole('heading', { name: /ElevenLabs|elevenlabs/i, level: 3 }).waitFor();
  await axe('the settings page');
});

test('every page reads at 320 px and passes axe in dark mode', { timeout: 90_000 }, async () => {
  await page.setViewportSize({ width: 320, height: 800 });
  await page.emulateMedia({ colorScheme: 'dark' });
  const pages = [
    ['#/agents', 'Agents'],
    ['#/agents/new', 'New agent'],
    ['#/conversations', 'Conversations'],
    ['#/campaigns', 'Calls & campaigns'],
    ['#/usage', 'Usage'],
    ['#/webhooks', 'Webhooks'],
    ['#/settings', 'Settings'],
  ];
  for (const [hash, heading] of pages) {
    await go(hash);
    await page.getByRole('heading', { name: heading, level: 1 }).waitFor();
    await page.waitForLoadState('networkidle');
    await fitsWidth(hash);
    await axe(`${hash} (dark, 320 px)`);
  }
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.emulateMedia({ colorScheme: 'light' });
});

test('signing out forgets both keys', async () => {
  await go('#/agents');
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('heading', { name: 'Sign in to the CXCo console' }).waitFor();
  assert.equal(await page.evaluate(() => sessionStorage.length), 0);
  assert.deepEqual(foreign, [], 'the console asked for something other than the server');
  assert.deepEqual(pageErrors, [], 'the console raised errors');
  assert.deepEqual(consoleErrors, [], 'the console logged errors');
});
