import Taro, { usePullDownRefresh } from '@tarojs/taro';
import { Image, Text, View } from '@tarojs/components';
import { pageUrl } from '@ssp/shared';
import { CampaignReminders } from '../../components/CampaignReminders';
import { EmptyState, LoadError, Loading } from '../../components/States';
import { useAsync } from '../../hooks/useAsync';
import { formatDate } from '../../logic/format';
import { campaignsApi } from '../../services/api';
import { mediaUrl } from '../../services/client';
import '../../components/blocks.css';
import '../public.css';
import { TextScale } from '../../components/TextScale';
import { pressable } from '../../components/pressable';

const TONE = { live: 'done', scheduled: 'waiting', ended: 'void', draft: 'void' } as const;

export default function CampaignsPage() {
  const list = useAsync(() => campaignsApi.list().then((r) => r.items));
  usePullDownRefresh(() => void list.reload().finally(() => Taro.stopPullDownRefresh()));
  if (!list.data) return list.error ? <LoadError message={list.error} onRetry={() => void list.reload()} /> : <Loading />;
  return (
    <View className="page">
      <TextScale />
      <CampaignReminders />
      {!list.data.length && <EmptyState title="暂时没有活动" hint="新活动发布后会在这里展示" />}
      {list.data.map((c) => (
        <View
          key={c.id}
          className="card"
          {...pressable(() => void Taro.navigateTo({ url: pageUrl('campaign', { id: c.id }) }))}
          data-testid="campaign-item"
        >
          {c.cover ? (
            <Image className="camp-cover" nativeProps={{ alt: '' }} src={mediaUrl(c.cover.url)} mode="aspectFill" />
          ) : (
            <View className="camp-cover camp-cover--blank">{c.multiplier > 1 ? `积分 ×${c.multiplier}` : '城市共建'}</View>
          )}
          <Text className="camp-title">{c.title}</Text>
          {c.summary && <Text className="muted">{c.summary}</Text>}
          <View className="camp-tags">
            <Text className={`chip chip--${TONE[c.status]}`}>{c.statusName}</Text>
            {c.multiplier > 1 && <Text className="chip chip--danger">积分 ×{c.multiplier}</Text>}
            <Text className="chip chip--void">
              {formatDate(c.startAt)} 至 {formatDate(c.endAt)}
            </Text>
          </View>
        </View>
      ))}
    </View>
  );
}
