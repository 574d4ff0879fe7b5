/**
 * A small percent line chart in SVG (no chart library): one line per series over the
 * periods, 0–100 % on the y axis, gaps where a rate has no denominator.
 */
export interface ChartSeries {
  name: string;
  color: string;
  values: (number | null)[];
}

const W = 960;
const H = 260;
const PAD = { left: 44, right: 16, top: 16, bottom: 40 };

export function LineChart({ labels, series, testId }: { labels: string[]; series: ChartSeries[]; testId?: string }) {
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const x = (i: number) => PAD.left + (labels.length <= 1 ? plotW / 2 : (i * plotW) / (labels.length - 1));
  const y = (v: number) => PAD.top + plotH - (Math.max(0, Math.min(100, v)) / 100) * plotH;
  const every = Math.max(1, Math.ceil(labels.length / 12));

  return (
    <div data-testid={testId}>
      <svg viewBox={`0 0 ${W} ${H}`} width="100%" role="img" aria-label={`趋势图：${series.map((s) => s.name).join('、')}`}>
        {[0, 25, 50, 75, 100].map((t) => (
          <g key={t}>
            <line x1={PAD.left} x2={W - PAD.right} y1={y(t)} y2={y(t)} stroke="#f0f0f0" />
            <text x={PAD.left - 6} y={y(t) + 4} fontSize={11} textAnchor="end" fill="#8c8c8c">
              {t}%
            </text>
          </g>
        ))}
        {labels.map((l, i) =>
          i % every === 0 ? (
            <text key={l} x={x(i)} y={H - PAD.bottom + 18} fontSize={11} textAnchor="middle" fill="#8c8c8c">
              {l}
            </text>
          ) : null,
        )}
        {series.map((s) => {
          // Segments between consecutive known values.
          const parts: string[] = [];
          let current = '';
          s.values.forEach((v, i) => {
            if (v === null) {
              if (current) parts.push(current);
              current = '';
            } else current += `${current ? 'L' : 'M'}${x(i).toFixed(1)},${y(v).toFixed(1)}`;
          });
          if (current) parts.push(current);
          return (
            <g key={s.name}>
              {parts.map((d) => (
                <path key={d} d={d} fill="none" stroke={s.color} strokeWidth={2} />
              ))}
              {s.values.map((v, i) => (v === null ? null : <circle key={i} cx={x(i)} cy={y(v)} r={3} fill={s.color} />))}
            </g>
          );
        })}
      </svg>
      <div style={{ display: 'flex', gap: 16, justifyContent: 'center', fontSize: 12 }}>
        {series.map((s) => (
          <span key={s.name}>
            <span style={{ display: 'inline-block', width: 12, height: 3, background: s.color, verticalAlign: 'middle', marginRight: 4 }} />
            {s.name}
          </span>
        ))}
      </div>
    </div>
  );
}
