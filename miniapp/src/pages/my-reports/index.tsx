import { useState } from 'react';
import Taro, { useDidShow } from '@tarojs/taro';
import { Image, ScrollView, Text, View } from '@tarojs/components';
import { pageUrl, tabUrl, type CitizenStatus, type ReportSummary } from '@ssp/shared';
import { EmptyState, LoadError, Loading } from '../../components/States';
import { useCursorPages } from '../../hooks/useCursorPages';
import { StatusChip } from '../../components/StatusChip';
import { formatRelative } from '../../logic/format';
import { MY_REPORT_FILTERS } from '../../logic/status';
import { reportsApi } from '../../services/api';
import { mediaUrl } from '../../services/client';
import { requireCitizen } from '../../services/session';
import { TextScale } from '../../components/TextScale';
import { pressable } from '../../components/pressable';

export default function MyReportsPage() {
  const [status, setStatus] = useState<CitizenStatus | undefined>(undefined);
  const { items, loading, error, hasMore, reload } = useCursorPages<ReportSummary>((cursor) => reportsApi.mine({ status, cursor }), {
    key: status,
    guard: requireCitizen,
  });

  useDidShow(() => {
    if (items.length) void reload();
  });

  return (
    <View className="page">
      <TextScale />
      <ScrollView scrollX className="pills">
        {MY_REPORT_FILTERS.map((f) => (
          <View
            key={f.label}
            className={`pill ${f.status === status ? 'pill--on' : ''}`}
            {...pressable(() => setStatus(f.status), { role: 'radio', checked: f.status === status })}
          >
            {f.label}
          </View>
        ))}
      </ScrollView>
      {error && !items.length ? (
        <LoadError message={error} onRetry={() => void reload()} />
      ) : !items.length && loading ? (
        <Loading />
      ) : !items.length ? (
        <EmptyState
          title={status ? `没有“${status}”的上报` : '还没有上报过问题'}
          hint="发现井盖破损、垃圾堆放、乱停车等问题，随手拍一拍"
          actionText="去上报"
          onAction={() => void Taro.switchTab({ url: tabUrl('report') })}
        />
      ) : (
        <View className="card" data-testid="my-reports">
          {items.map((it) => (
            <View
              key={it.id}
              className="list-item"
              {...pressable(() => void Taro.navigateTo({ url: pageUrl('reportDetail', { id: it.id }) }))}
              data-testid="my-report"
            >
              {it.thumbUrl ? (
                <Image className="thumb" nativeProps={{ alt: `${it.categoryName}照片` }} src={mediaUrl(it.thumbUrl)} mode="aspectFill" />
              ) : (
                <View className="thumb" />
              )}
              <View className="grow ml-m">
                <View className="row row--between">
                  <Text className="ellipsis grow bold">{it.categoryName}</Text>
                  <StatusChip status={it.status} />
                </View>
                <Text className="muted small ellipsis block">{it.address ?? it.caseNo}</Text>
                <Text className="muted small">
                  {formatRelative(it.createdAt)}
                  {it.supporterCount > 0 ? ` · ${it.supporterCount} 人也遇到` : ''}
                </Text>
              </View>
            </View>
          ))}
          {hasMore && <View className="muted small load-more">{loading ? '加载中…' : '上拉加载更多'}</View>}
        </View>
      )}
    </View>
  );
}
