import { Text, View } from '@tarojs/components';
import { barPercents } from '../logic/charts';
import './Bars.css';

export interface BarRow {
  key: string;
  label: string;
  value: number;
  /** What to print at the end of the bar (defaults to the value). */
  display?: string;
  /** Optional second figure under the label, e.g. 按期率. */
  note?: string;
}

/** Horizontal bars: a ranking that reads well on a narrow phone screen. */
export function HBars({ rows, max, testId }: { rows: BarRow[]; max?: number; testId?: string }) {
  const widths = barPercents(
    rows.map((r) => r.value),
    max,
  );
  return (
    <View className="hbars" data-testid={testId}>
      {rows.map((r, i) => (
        <View key={r.key} className="hbar">
          <View className="hbar__label">
            <Text className="ellipsis">{r.label}</Text>
            {r.note && <Text className="muted small">{r.note}</Text>}
          </View>
          <View className="hbar__track">
            <View className="hbar__fill" style={{ width: `${widths[i]}%` }} />
          </View>
          <Text className="hbar__value">{r.display ?? String(r.value)}</Text>
        </View>
      ))}
    </View>
  );
}

/** Vertical columns over time (months, weeks); labels under each column. */
export function Columns({ rows, max, testId }: { rows: BarRow[]; max?: number; testId?: string }) {
  const heights = barPercents(
    rows.map((r) => r.value),
    max,
  );
  if (rows.every((r) => !r.value)) {
    return (
      <View className="empty" data-testid={testId}>
        <Text className="empty__hint">这段时间暂无可公开的数据</Text>
      </View>
    );
  }
  return (
    <View className="cols" data-testid={testId}>
      {rows.map((r, i) => (
        <View key={r.key} className="col">
          <Text className="col__value">{r.display ?? String(r.value)}</Text>
          <View className="col__track">
            <View className="col__fill" style={{ height: `${heights[i]}%` }} />
          </View>
          <Text className="col__label">{r.label}</Text>
        </View>
      ))}
    </View>
  );
}
