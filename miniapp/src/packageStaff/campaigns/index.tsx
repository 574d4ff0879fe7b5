import Taro, { useDidShow, usePullDownRefresh } from '@tarojs/taro';
import { Text, View } from '@tarojs/components';
import { CAMPAIGN_STATUS_NAMES_ZH, pageUrl } from '@ssp/shared';
import { EmptyState, LoadError, Loading } from '../../components/States';
import { useAsync } from '../../hooks/useAsync';
import { formatDate } from '../../logic/format';
import { staffCampaignsApi } from '../../services/api';
import { TextScale } from '../../components/TextScale';
import { pressable } from '../../components/pressable';
import '../staff.css';

const TONE = { live: 'done', scheduled: 'waiting', ended: 'void', draft: 'active' } as const;

export default function StaffCampaignsPage() {
  const list = useAsync(() => staffCampaignsApi.list().then((r) => r.items));
  useDidShow(() => {
    if (list.data) void list.reload();
  });
  usePullDownRefresh(() => void list.reload().finally(() => Taro.stopPullDownRefresh()));

  return (
    <View className="page">
      <TextScale />
      <View
        className="btn btn--primary btn--block mb-m"
        {...pressable(() => void Taro.navigateTo({ url: pageUrl('campaignEdit') }))}
        data-testid="new-campaign"
      >
        新建活动
      </View>
      {!list.data ? (
        list.error ? (
          <LoadError message={list.error} onRetry={() => void list.reload()} />
        ) : (
          <Loading />
        )
      ) : !list.data.length ? (
        <EmptyState title="还没有活动" hint="新建一个活动，调动市民参与城市管理" />
      ) : (
        <View className="card">
          {list.data.map((c) => (
            <View
              key={c.id}
              className="case-item"
              {...pressable(() => void Taro.navigateTo({ url: pageUrl('campaignEdit', { id: c.id }) }))}
              data-testid="staff-campaign"
            >
              <View className="grow">
                <View className="row row--between">
                  <Text className="case-item__title ellipsis grow">{c.title}</Text>
                  <Text className={`chip chip--${TONE[c.status]}`}>{CAMPAIGN_STATUS_NAMES_ZH[c.status]}</Text>
                </View>
                <Text className="muted small">
                  {formatDate(c.startAt)} 至 {formatDate(c.endedAt ?? c.endAt)} · 积分 ×{c.multiplier}
                </Text>
              </View>
            </View>
          ))}
        </View>
      )}
    </View>
  );
}
