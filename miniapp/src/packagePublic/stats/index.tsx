import { useState } from 'react';
import Taro, { usePullDownRefresh, useShareAppMessage, useShareTimeline } from '@tarojs/taro';
import { Text, View } from '@tarojs/components';
import { pageRoute } from '@ssp/shared';
import { Figures } from '../../components/Figures';
import { Columns, HBars } from '../../components/Bars';
import { LoadError, Loading } from '../../components/States';
import { useAsync } from '../../hooks/useAsync';
import { formatCount } from '../../logic/format';
import { countSeries, departmentRanking, lastMonths, percentText, rateSeries, topCategories } from '../../logic/stats';
import { statsApi } from '../../services/api';
import '../../components/blocks.css';
import '../public.css';
import { TextScale } from '../../components/TextScale';
import { pressable } from '../../components/pressable';

const RANGES = [
  { key: '6', label: '近半年', months: 6 },
  { key: '12', label: '近一年', months: 12 },
];

/** 数据公开: anonymised figures by month, category and department (published by whole months). */
export default function StatsPage() {
  const [rangeKey, setRangeKey] = useState('12');
  const range = lastMonths(RANGES.find((r) => r.key === rangeKey)!.months);
  const data = useAsync(
    () => Promise.all([statsApi.summary(range), statsApi.timeseries(range), statsApi.categories(range), statsApi.departments(range)]),
    [rangeKey],
  );
  usePullDownRefresh(() => void data.reload().finally(() => Taro.stopPullDownRefresh()));
  useShareAppMessage(() => ({ title: '城市问题处理情况，全部公开', path: `/${pageRoute('stats')}` }));
  useShareTimeline(() => ({ title: '城市问题处理情况，全部公开' }));

  if (!data.data) return data.error ? <LoadError message={data.error} onRetry={() => void data.reload()} /> : <Loading />;
  const [summary, series, categories, departments] = data.data;
  const c = summary.counts;
  const r = summary.rates;

  return (
    <View className="page" data-testid="stats">
      <TextScale />
      <View className="pills">
        {RANGES.map((x) => (
          <View
            key={x.key}
            className={`pill ${x.key === rangeKey ? 'pill--on' : ''}`}
            {...pressable(() => setRangeKey(x.key), { role: 'radio', checked: x.key === rangeKey })}
          >
            {x.label}
          </View>
        ))}
      </View>
      <View className="card">
        <View className="card__title">
          <Text>总体情况</Text>
          <Text className="muted small">
            {summary.range.from.slice(0, 7)} 至 {summary.range.to.slice(0, 7)}
          </Text>
        </View>
        <Figures
          items={[
            { value: formatCount(c.reported), label: '收到上报' },
            { value: formatCount(c.filed), label: '立案' },
            { value: formatCount(c.closures), label: '结案' },
          ]}
        />
        <Figures
          className="mt-m"
          items={[
            { value: percentText(r.closureRate), label: '结案率' },
            { value: percentText(r.onTimeRate), label: '按期处置率' },
            { value: percentText(r.satisfaction), label: '满意度' },
          ]}
        />
      </View>

      <View className="card">
        <View className="card__title">每月结案率</View>
        <Columns rows={rateSeries(series.series, 'closureRate')} max={100} testId="chart-closure" />
      </View>
      <View className="card">
        <View className="card__title">每月按期处置率</View>
        <Columns rows={rateSeries(series.series, 'onTimeRate')} max={100} testId="chart-ontime" />
      </View>
      <View className="card">
        <View className="card__title">每月上报与结案</View>
        <Columns rows={countSeries(series.series, 'reported')} />
        <Text className="muted small block center">当月上报数</Text>
        <Columns rows={countSeries(series.series, 'closures')} />
        <Text className="muted small block center">其中至今已结案</Text>
      </View>

      <View className="card">
        <View className="card__title">市民最常反映的问题</View>
        {topCategories(categories.items).length ? (
          <HBars rows={topCategories(categories.items)} testId="chart-categories" />
        ) : (
          <Text className="muted">暂无数据</Text>
        )}
      </View>

      <View className="card">
        <View className="card__title">处置部门综合排名</View>
        <Text className="muted small block mb-s">综合分 = 立案数分值×10% + 结案率×30% + 按期处置率×30% +（1−返工率）×30%</Text>
        {departmentRanking(departments.items).length ? (
          <HBars rows={departmentRanking(departments.items)} max={100} testId="chart-departments" />
        ) : (
          <Text className="muted">暂无数据</Text>
        )}
      </View>

      {summary.suppression && (
        <View className="card" data-testid="stats-method">
          <View className="card__title">数据怎么算</View>
          <Text className="muted small block">{summary.suppression.note}</Text>
        </View>
      )}
      <Text className="muted small block">数据截至 {summary.asOf}</Text>
    </View>
  );
}
