import { countTicks, labelEvery } from '../charts';

/**
 * A small grouped bar chart of counts in SVG (no chart library): one group per label, one
 * bar per series, whole-number ticks on the y axis. Each bar has a title (hover) with its figure.
 */
export interface BarSeries {
  name: string;
  color: string;
  values: number[];
}

const W = 960;
const H = 260;
const PAD = { left: 44, right: 16, top: 16, bottom: 40 };

export function BarChart({ labels, series, testId, title }: { labels: string[]; series: BarSeries[]; testId?: string; title?: string }) {
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const ticks = countTicks(series.flatMap((s) => s.values));
  const top = ticks[ticks.length - 1]!;
  const y = (v: number) => PAD.top + plotH - (v / top) * plotH;
  const group = plotW / Math.max(1, labels.length);
  const bar = Math.max(1, Math.min(24, (group * 0.8) / Math.max(1, series.length)));
  const every = labelEvery(labels.length);

  return (
    <div data-testid={testId}>
      <svg viewBox={`0 0 ${W} ${H}`} width="100%" role="img" aria-label={title ?? `柱状图：${series.map((s) => s.name).join('、')}`}>
        {ticks.map((t) => (
          <g key={t}>
            <line x1={PAD.left} x2={W - PAD.right} y1={y(t)} y2={y(t)} stroke="#f0f0f0" />
            <text x={PAD.left - 6} y={y(t) + 4} fontSize={11} textAnchor="end" fill="#8c8c8c">
              {t}
            </text>
          </g>
        ))}
        {labels.map((label, i) => {
          const x0 = PAD.left + i * group + (group - bar * series.length) / 2;
          return (
            <g key={label} data-label={label}>
              {series.map((s, j) => {
                const v = s.values[i] ?? 0;
                return (
                  <rect key={s.name} x={x0 + j * bar} y={y(v)} width={Math.max(1, bar - 1)} height={PAD.top + plotH - y(v)} fill={s.color}>
                    <title>{`${label} ${s.name}：${v}`}</title>
                  </rect>
                );
              })}
              {i % every === 0 && (
                <text x={PAD.left + i * group + group / 2} y={H - PAD.bottom + 18} fontSize={11} textAnchor="middle" fill="#8c8c8c">
                  {label}
                </text>
              )}
            </g>
          );
        })}
        <line x1={PAD.left} x2={W - PAD.right} y1={y(0)} y2={y(0)} stroke="#bfbfbf" />
      </svg>
      <div style={{ display: 'flex', gap: 16, justifyContent: 'center', fontSize: 12 }}>
        {series.map((s) => (
          <span key={s.name}>
            <span style={{ display: 'inline-block', width: 10, height: 10, background: s.color, verticalAlign: 'middle', marginRight: 4 }} />
            {s.name}
          </span>
        ))}
      </div>
    </div>
  );
}
