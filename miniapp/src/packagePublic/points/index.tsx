import { useState } from 'react';
import Taro from '@tarojs/taro';
import { Switch, Text, View } from '@tarojs/components';
import { pageUrl, type MyPoints, type PointsLine } from '@ssp/shared';
import { EmptyState, LoadError, Loading } from '../../components/States';
import { useCursorPages } from '../../hooks/useCursorPages';
import { formatDateTime } from '../../logic/format';
import { pointsApi } from '../../services/api';
import { requireCitizen } from '../../services/session';
import { toastError } from '../../services/ui';
import '../public.css';
import { TextScale } from '../../components/TextScale';
import { pressable } from '../../components/pressable';

export default function PointsPage() {
  const [summary, setSummary] = useState<MyPoints | null>(null);
  // The balance comes with the first page, so a pull-down refreshes both.
  const history = useCursorPages<PointsLine>(
    async (cursor) => {
      const [mine, page] = await Promise.all([cursor ? null : pointsApi.mine(), pointsApi.history(cursor)]);
      if (mine) setSummary(mine);
      return page;
    },
    { guard: requireCitizen },
  );
  const { items: lines, loading, error, hasMore } = history;

  if (!summary) return error ? <LoadError message={error} onRetry={() => void history.reload()} /> : <Loading />;

  return (
    <View className="page">
      <TextScale />
      <View className="pts-hero">
        <Text className="muted small pts-hero__label">可用积分</Text>
        <Text className="pts-hero__balance" data-testid="points-balance">
          {summary.balance}
        </Text>
        <View className="row pts-hero__row">
          <Text>本月获得 {summary.earnedThisMonth}</Text>
          <Text>累计获得 {summary.earnedTotal}</Text>
        </View>
        {(summary.dailyCap || summary.monthlyCap) && (
          <Text className="pts-hero__cap">
            {summary.dailyCap ? `今日 ${summary.earnedToday}/${summary.dailyCap}` : ''}
            {summary.dailyCap && summary.monthlyCap ? ' · ' : ''}
            {summary.monthlyCap ? `本月上限 ${summary.monthlyCap}` : ''}
          </Text>
        )}
      </View>
      <View className="btn-row mb-m">
        <View className="btn btn--primary" {...pressable(() => void Taro.navigateTo({ url: pageUrl('rewards') }))}>
          兑换奖品
        </View>
        <View className="btn" {...pressable(() => void Taro.navigateTo({ url: pageUrl('leaderboard') }))}>
          排行榜
        </View>
      </View>
      <View className="card row row--between">
        <View className="grow">
          <Text>排行榜上匿名显示</Text>
          <Text className="muted small block">开启后排行榜显示为“匿名市民”</Text>
        </View>
        <Switch
          nativeProps={{ 'aria-label': '排行榜上匿名显示' }}
          checked={summary.leaderboardAnonymous}
          color="#0958d9"
          onChange={(e) => {
            const anonymous = e.detail.value;
            setSummary({ ...summary, leaderboardAnonymous: anonymous });
            pointsApi.setAnonymous(anonymous).catch((err: unknown) => {
              setSummary({ ...summary, leaderboardAnonymous: !anonymous });
              toastError(err);
            });
          }}
        />
      </View>
      <View className="card" data-testid="points-history">
        <View className="card__title">积分明细</View>
        {!lines.length && <EmptyState title="还没有积分记录" hint="上报的问题立案后即可获得积分" />}
        {lines.map((l) => (
          <View key={l.id} className="list-item" data-testid="points-line">
            <View className="grow">
              <Text>{l.reasonText}</Text>
              <Text className="muted small block">
                {formatDateTime(l.at)}
                {l.multiplier && l.multiplier > 1 ? ` · 活动 ×${l.multiplier}` : ''}
                {l.capped > 0 ? ` · 超出上限未计 ${l.capped}` : ''}
              </Text>
            </View>
            <Text className={l.amount >= 0 ? 'pts-plus' : 'pts-minus'}>{l.amount >= 0 ? `+${l.amount}` : l.amount}</Text>
          </View>
        ))}
        {hasMore && <View className="muted small load-more">{loading ? '加载中…' : '上拉加载更多'}</View>}
      </View>
    </View>
  );
}
