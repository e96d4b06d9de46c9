// A stacked bar chart in plain SVG: one bar a day, one colour a series, and the same figures in
// a table for anyone who cannot see the bars. No chart library: the console stays small and
// its colours follow the light and dark themes through CSS classes.
import { ScrollTable } from './ui.jsx';

const W = 720;
const H = 260;
const PAD = { left: 48, right: 8, top: 12, bottom: 36 };

// The step between the four gridlines: 1, 2, 2.5 or 5 times a power of ten (whole numbers
// only for counts), so the axis reads 0, 5, 10, 15, 20 rather than 0, 3.8, 7.5.
function niceStep(max, whole) {
  const raw = max > 0 ? Math.max(max / 4, whole ? 1 : 0) : 1;
  const p = 10 ** Math.floor(Math.log10(raw));
  for (const m of whole && p < 10 ? [1, 2, 5, 10] : [1, 2, 2.5, 5, 10]) if (m * p >= raw) return m * p;
  return 10 * p;
}

function fmt(v) {
  return Number.isInteger(v) ? String(v) : v.toFixed(1);
}

// labels: x labels (days); series: [{name, values: number[]}]
export function StackedBars({ id, title, labels, series, unit, tick = (l) => l.slice(5), over = `over ${labels.length} days`, first = 'Day' }) {
  const totals = labels.map((_, i) => series.reduce((s, x) => s + (x.values[i] || 0), 0));
  const whole = series.every((s) => s.values.every((v) => Number.isInteger(v || 0)));
  const max = 4 * niceStep(Math.max(0, ...totals), whole);
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const step = plotW / Math.max(1, labels.length);
  const barW = Math.max(2, Math.min(40, step * 0.7));
  const y = (v) => PAD.top + plotH - (v / max) * plotH;
  const ticks = [0, max / 4, max / 2, (3 * max) / 4, max];
  const every = Math.max(1, Math.ceil(labels.length / 8));
  const total = totals.reduce((a, b) => a + b, 0);
  return (
    <figure class="chart-figure" aria-labelledby={`${id}-title`}>
      <figcaption id={`${id}-title`}>
        <h2>{title}</h2>
      </figcaption>
      <ul class="legend" aria-label={`${title}: series`}>
        {series.map((s, k) => (
          <li key={s.name}>
            <span class={`swatch s${(k % 8) + 1}`} aria-hidden="true" />
            {s.name}
          </li>
        ))}
      </ul>
      <svg
        class="chart"
        viewBox={`0 0 ${W} ${H}`}
        role="img"
        aria-label={`${title}: ${fmt(total)} ${unit} ${over}`}
        data-testid={`chart-${id}`}
      >
        {ticks.map((t) => (
          <g key={t}>
            <line class="axis" x1={PAD.left} x2={W - PAD.right} y1={y(t)} y2={y(t)} />
            <text x={PAD.left - 6} y={y(t) + 4} text-anchor="end">
              {fmt(t)}
            </text>
          </g>
        ))}
        {labels.map((label, i) => {
          let acc = 0;
          const x = PAD.left + i * step + (step - barW) / 2;
          return (
            <g key={label}>
              {series.map((s, k) => {
                const v = s.values[i] || 0;
                if (v <= 0) return null;
                const y0 = y(acc);
                acc += v;
                const y1 = y(acc);
                return (
                  <rect class={`bar s${(k % 8) + 1}`} x={x} y={y1} width={barW} height={Math.max(0.5, y0 - y1)}>
                    <title>
                      {label} · {s.name}: {fmt(v)} {unit}
                    </title>
                  </rect>
                );
              })}
              {i % every === 0 && (
                <text x={x + barW / 2} y={H - PAD.bottom + 16} text-anchor="middle">
                  {tick(label)}
                </text>
              )}
            </g>
          );
        })}
      </svg>
      <details>
        <summary>{title}: the figures</summary>
        <ScrollTable>
          <thead>
            <tr>
              <th scope="col">{first}</th>
              {series.map((s) => (
                <th scope="col" class="num">
                  {s.name}
                </th>
              ))}
              <th scope="col" class="num">
                Total
              </th>
            </tr>
          </thead>
          <tbody>
            {labels.map((label, i) => (
              <tr key={label}>
                <th scope="row">{label}</th>
                {series.map((s) => (
                  <td class="num">{fmt(s.values[i] || 0)}</td>
                ))}
                <td class="num">{fmt(totals[i])}</td>
              </tr>
            ))}
          </tbody>
        </ScrollTable>
      </details>
    </figure>
  );
}
