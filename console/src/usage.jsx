// Usage: the company's figures over a range of days (in the URL, so a view can be shared):
// daily voice minutes and conversations stacked by agent, inbound against outbound, and, where
// the server analyses conversations, success by criterion.
import { useEffect, useState } from 'preact/hooks';
import { get, all } from './api.js';
import { features } from './features.js';
import { ErrorBox, Loading, navigate, useLoad } from './ui.jsx';
import { StackedBars } from './chart.jsx';

const MAX_AGENTS = 7; // beyond that, the rest are one "other agents" series

function isoDay(d) {
  return d.toISOString().slice(0, 10);
}

function daysBetween(start, end) {
  const out = [];
  const d = new Date(`${start}T00:00:00Z`);
  const last = new Date(`${end}T00:00:00Z`);
  while (d <= last && out.length < 366) {
    out.push(isoDay(d));
    d.setUTCDate(d.getUTCDate() + 1);
  }
  return out;
}

function defaultRange() {
  const end = new Date();
  const start = new Date(end);
  start.setUTCDate(start.getUTCDate() - 13);
  return { start_date: isoDay(start), end_date: isoDay(end) };
}

async function loadUsage(start, end) {
  const range = { start_date: start, end_date: end };
  const [summary, daily, feat] = await Promise.all([get('/api/usage/summary', range), get('/api/usage/daily', range), features()]);
  const agents = [...(summary.by_agent || [])].sort((a, b) => b.voice_minutes - a.voice_minutes || b.total_conversations - a.total_conversations);
  const top = agents.slice(0, MAX_AGENTS);
  const perAgent = await Promise.all(top.map((a) => get('/api/usage/daily', { ...range, agent_id: a.agent_id })));
  // Inbound against outbound, counted from the conversations themselves (newest first), up to 5000.
  const direction = { inbound: {}, outbound: {} };
  let cursor;
  let seen = 0;
  outer: for (;;) {
    const page = await get('/api/conversations/', { limit: 100, cursor });
    for (const c of page.items) {
      const day = (c.started_at || '').slice(0, 10);
      if (day < start) break outer;
      if (day <= end) direction[c.direction === 'outbound' ? 'outbound' : 'inbound'][day] = (direction[c.direction === 'outbound' ? 'outbound' : 'inbound'][day] || 0) + 1;
    }
    seen += page.items.length;
    if (!page.has_more || seen >= 5000) break;
    cursor = page.next_cursor;
  }
  let analysis = null;
  if (feat.usageAnalysis) {
    try {
      analysis = await get('/api/usage/analysis', range);
    } catch {
      analysis = null;
    }
  }
  return { summary, daily, top, perAgent, rest: agents.length - top.length, direction, analysis, truncated: seen >= 5000 };
}

function byDay(rows, pick) {
  const m = {};
  for (const r of rows || []) m[r.date] = pick(r);
  return m;
}

export function UsagePage({ route }) {
  const fallback = defaultRange();
  const start = route.params.start_date || fallback.start_date;
  const end = route.params.end_date || fallback.end_date;
  const [draft, setDraft] = useState({ start_date: start, end_date: end });
  useEffect(() => setDraft({ start_date: start, end_date: end }), [start, end]);
  const usage = useLoad(() => loadUsage(start, end), [start, end]);
  const labels = daysBetween(start, end);

  const series = (pick) => {
    if (!usage.data) return [];
    const { daily, top, perAgent, rest } = usage.data;
    const out = top.map((a, k) => {
      const m = byDay(perAgent[k], pick);
      return { name: a.agent_name || `Agent #${a.agent_id}`, values: labels.map((d) => m[d] || 0) };
    });
    const totals = byDay(daily, pick);
    if (rest > 0 || out.length === 0) {
      const other = labels.map((d, i) => Math.max(0, (totals[d] || 0) - out.reduce((s, x) => s + x.values[i], 0)));
      out.push({ name: out.length ? 'Other agents' : 'All agents', values: other });
    }
    return out;
  };

  return (
    <>
      <h1>Usage</h1>
      <form
        class="row panel"
        onSubmit={(e) => {
          e.preventDefault();
          navigate('/usage', draft);
        }}
      >
        <label>
          From
          <input type="date" name="start_date" required value={draft.start_date} onInput={(e) => setDraft({ ...draft, start_date: e.currentTarget.value })} />
        </label>
        <label>
          To
          <input type="date" name="end_date" required value={draft.end_date} onInput={(e) => setDraft({ ...draft, end_date: e.currentTarget.value })} />
        </label>
        <button type="submit">Show</button>
      </form>
      <ErrorBox error={usage.error} />
      {usage.loading && !usage.data ? (
        <Loading what="usage" />
      ) : usage.data ? (
        <>
          <Summary summary={usage.data.summary} />
          <StackedBars id="minutes" title="Voice minutes a day, by agent" unit="minutes" labels={labels} series={series((r) => r.voice.total_minutes)} />
          <StackedBars
            id="conversations"
            title="Voice conversations a day, by agent"
            unit="conversations"
            labels={labels}
            series={series((r) => r.voice.total_conversations)}
          />
          <StackedBars
            id="direction"
            title="Inbound and outbound conversations a day"
            unit="conversations"
            labels={labels}
            series={['inbound', 'outbound'].map((k) => ({ name: k, values: labels.map((d) => usage.data.direction[k][d] || 0) }))}
          />
          {usage.data.truncated && <p class="hint">Inbound and outbound count the latest 5,000 conversations of the range.</p>}
          <CriteriaChart analysis={usage.data.analysis} />
        </>
      ) : null}
    </>
  );
}

function Summary({ summary }) {
  const v = summary.voice || {};
  const w = summary.whatsapp || {};
  const cards = [
    ['Voice conversations', v.total_conversations],
    ['Voice minutes', v.total_minutes],
    ['Transferred minutes (SIP refer)', v.total_sip_refer_minutes],
    ['WhatsApp conversations', w.total_conversations],
    ['WhatsApp messages', w.total_messages],
    ['Active agents', summary.agents_active],
  ];
  return (
    <dl class="cards" aria-label="Totals for the range">
      {cards.map(([label, value]) => (
        <div class="card" key={label}>
          <dt class="label">{label}</dt>
          <dd class="value">{value ?? 0}</dd>
        </div>
      ))}
    </dl>
  );
}

// GET /api/usage/analysis (platform.md section 8): per criterion {success, failure, unknown}.
// Read defensively: the criteria may come as an object by id or as a list with ids.
function CriteriaChart({ analysis }) {
  if (!analysis) return null;
  let criteria = analysis.criteria || {};
  if (Array.isArray(criteria)) criteria = Object.fromEntries(criteria.map((c) => [c.id, c]));
  const ids = Object.keys(criteria);
  if (!ids.length) return null;
  const names = ['success', 'failure', 'unknown'];
  return (
    <StackedBars
      id="criteria"
      title="Success by criterion"
      unit="conversations"
      labels={ids}
      tick={(l) => l}
      over={`across ${ids.length} ${ids.length === 1 ? 'criterion' : 'criteria'}`}
      first="Criterion"
      series={names.map((n) => ({ name: n, values: ids.map((id) => Number((criteria[id] || {})[n]) || 0) }))}
    />
  );
}
