import { Image, Text, View } from '@tarojs/components';
import type { NearbyCase } from '@ssp/shared';
import { formatDistance, formatRelative } from '../logic/format';
import { mediaUrl } from '../services/client';
import { StatusChip } from './StatusChip';
import { pressable } from './pressable';

/**
 * Open cases of the same kind near the citizen, before they submit: backing one
 * (我也遇到) helps more than a duplicate report, and is one tap.
 */
export function NearbyCases({ items, busyId, onSupport }: { items: NearbyCase[]; busyId: string | null; onSupport: (c: NearbyCase) => void }) {
  if (!items.length) return null;
  return (
    <View className="card" data-testid="nearby-cases">
      <View className="card__title">附近已有 {items.length} 条同类问题</View>
      <View className="muted small mb-s">如果是同一个问题，点“我也遇到”即可，处理进度会同步给您，无需重复上报。</View>
      {items.map((c) => (
        <View key={c.id} className="list-item" data-testid="nearby-case">
          {c.thumbUrl ? (
            <Image className="thumb" nativeProps={{ alt: `${c.categoryName}照片` }} src={mediaUrl(c.thumbUrl)} mode="aspectFill" />
          ) : (
            <View className="thumb" />
          )}
          <View className="grow mx-m">
            <View className="row">
              <Text className="ellipsis grow">{c.categoryName}</Text>
              <StatusChip status={c.status} />
            </View>
            <Text className="muted small">
              {formatDistance(c.distanceM)} · {formatRelative(c.createdAt)} · {c.supporterCount} 人遇到
            </Text>
          </View>
          {c.mine ? (
            <Text className="muted small">我的上报</Text>
          ) : c.supportedByMe ? (
            <Text className="ok-text small">已附议</Text>
          ) : (
            <View
              className={`btn btn--ghost btn--small ${busyId === c.id ? 'btn--disabled' : ''}`}
              aria-disabled={!!(busyId === c.id)}
              {...pressable(() => busyId || onSupport(c))}
              data-testid="support"
            >
              我也遇到
            </View>
          )}
        </View>
      ))}
    </View>
  );
}
