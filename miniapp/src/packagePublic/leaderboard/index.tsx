import { useState } from 'react';
import { Text, View } from '@tarojs/components';
import { EmptyState, LoadError, Loading } from '../../components/States';
import { useAsync } from '../../hooks/useAsync';
import { pointsApi } from '../../services/api';
import '../public.css';
import { TextScale } from '../../components/TextScale';
import { pressable } from '../../components/pressable';

export default function LeaderboardPage() {
  const [period, setPeriod] = useState<'month' | 'all'>('month');
  const board = useAsync(() => pointsApi.leaderboard(period), [period]);
  const b = board.data;
  return (
    <View className="page">
      <TextScale />
      <View className="pills">
        <View
          className={`pill ${period === 'month' ? 'pill--on' : ''}`}
          {...pressable(() => setPeriod('month'), { role: 'radio', checked: period === 'month' })}
        >
          本月
        </View>
        <View
          className={`pill ${period === 'all' ? 'pill--on' : ''}`}
          {...pressable(() => setPeriod('all'), { role: 'radio', checked: period === 'all' })}
        >
          总榜
        </View>
      </View>
      {b?.me && (
        <View className="banner banner--info">
          我的排名：{b.me.rank ? `第 ${b.me.rank} 名` : '暂未上榜'} · {b.me.earned} 分
        </View>
      )}
      {!b ? (
        board.error ? (
          <LoadError message={board.error} onRetry={() => void board.reload()} />
        ) : (
          <Loading />
        )
      ) : !b.items.length ? (
        <EmptyState title="榜单虚位以待" hint="上报的问题立案后即可获得积分，冲上榜单" />
      ) : (
        <View className="card" data-testid="leaderboard">
          {b.items.map((e) => (
            <View key={`${e.rank}-${e.displayName}`} className={`rank ${e.isMe ? 'rank--me' : ''}`}>
              <Text className={`rank__no ${e.rank <= 3 ? 'rank__no--top' : ''}`}>{e.rank}</Text>
              <Text className="grow">
                {e.displayName}
                {e.isMe ? '（我）' : ''}
              </Text>
              <Text className="reward__cost">{e.earned} 分</Text>
            </View>
          ))}
        </View>
      )}
    </View>
  );
}
