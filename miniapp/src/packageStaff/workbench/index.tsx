import { useEffect, useMemo, useState } from 'react';
import Taro, { useDidShow } from '@tarojs/taro';
import { Image, ScrollView, Text, View } from '@tarojs/components';
import { STAFF_ROLE_NAMES_ZH, pageUrl, tabUrl, type StaffCaseSummary } from '@ssp/shared';
import { EmptyState, LoadError, Loading } from '../../components/States';
import { useCursorPages } from '../../hooks/useCursorPages';
import { useSession } from '../../hooks/useSession';
import { describeDeadline, formatRelative } from '../../logic/format';
import { overdueFirst, queueTabs, worksCases } from '../../logic/staff-actions';
import { STAFF_STATE_NAMES_ZH } from '../../logic/status';
import { staffCasesApi } from '../../services/api';
import { mediaUrl } from '../../services/client';
import { refreshStaff, signOutStaff } from '../../services/session';
import { confirm } from '../../services/ui';
import { TextScale } from '../../components/TextScale';
import { pressable } from '../../components/pressable';
import '../staff.css';

export default function WorkbenchPage() {
  const { staff } = useSession();
  const role = staff?.role;
  const tabs = useMemo(() => (role ? queueTabs(role) : []), [role]);
  const [tabKey, setTabKey] = useState<string | null>(null);
  const tab = tabs.find((t) => t.key === tabKey) ?? tabs[0];

  useEffect(() => {
    if (!staff) void Taro.redirectTo({ url: pageUrl('staffLogin') });
  }, [staff]);

  const { items, loading, error, hasMore, reload } = useCursorPages<StaffCaseSummary>(
    (cursor) => staffCasesApi.queue({ ...tab!.query, cursor: cursor ?? undefined }),
    { key: tab?.key, enabled: !!tab, arrange: overdueFirst },
  );
  useDidShow(() => {
    void refreshStaff().catch(() => undefined);
    if (items.length) void reload();
  });

  if (!staff) return <Loading />;

  return (
    <View className="page">
      <TextScale />
      <View className="staff-hero">
        <View className="row row--between">
          <View>
            <Text className="staff-hero__title" data-testid="staff-name">
              {staff.displayName}
            </Text>
            <Text className="staff-hero__sub block">{STAFF_ROLE_NAMES_ZH[staff.role]}</Text>
          </View>
          <Text
            className="staff-hero__out"
            {...pressable(async () => {
              if (await confirm('退出', '确定退出工作人员账号吗？')) {
                await signOutStaff();
                void Taro.switchTab({ url: tabUrl('mine') });
              }
            })}
          >
            退出
          </Text>
        </View>
      </View>

      {(staff.role === 'publicity' || staff.role === 'admin') && (
        <View className="card list-item" {...pressable(() => void Taro.navigateTo({ url: pageUrl('staffCampaigns') }))} data-testid="entry-campaigns">
          <View className="grow">
            <Text className="bold">活动管理</Text>
            <Text className="muted small block">创建、预览、发布活动，查看活动效果</Text>
          </View>
          <Text className="list-item__arrow">›</Text>
        </View>
      )}

      {worksCases(staff.role) && (
        <View>
          <ScrollView scrollX className="pills">
            {tabs.map((t) => (
              <View
                key={t.key}
                className={`pill ${t.key === tab?.key ? 'pill--on' : ''}`}
                {...pressable(() => setTabKey(t.key), { role: 'radio', checked: t.key === tab?.key })}
                data-testid={`queue-${t.key}`}
              >
                {t.title}
              </View>
            ))}
          </ScrollView>
          {error && !items.length ? (
            <LoadError message={error} onRetry={() => void reload()} />
          ) : !items.length && loading ? (
            <Loading />
          ) : !items.length ? (
            <EmptyState title="暂无案件" hint="下拉可刷新" />
          ) : (
            <View className="card" data-testid="case-queue">
              {items.map((c) => {
                const dl = describeDeadline(c.deadline, c.state);
                return (
                  <View
                    key={c.id}
                    className="case-item"
                    {...pressable(() => void Taro.navigateTo({ url: pageUrl('staffCase', { id: c.id }) }))}
                    data-testid="queue-case"
                  >
                    {c.thumbUrl ? (
                      <Image className="thumb" nativeProps={{ alt: `${c.categoryName}照片` }} src={mediaUrl(c.thumbUrl)} mode="aspectFill" />
                    ) : (
                      <View className="thumb" />
                    )}
                    <View className="grow ml-m">
                      <View className="row row--between">
                        <Text className="case-item__title ellipsis grow">{c.categoryName}</Text>
                        <Text className="chip chip--active">{STAFF_STATE_NAMES_ZH[c.state]}</Text>
                      </View>
                      <Text className="muted small ellipsis block">
                        {c.caseNo} · {c.address ?? c.gridId}
                      </Text>
                      <View className="case-flags">
                        {c.overdue && <Text className="chip chip--danger">已超期</Text>}
                        {dl && !c.overdue && <Text className="chip chip--void">{dl.text}</Text>}
                        {c.postponeRequested && <Text className="chip chip--paused">缓办申请</Text>}
                        {c.reopenRequested && <Text className="chip chip--waiting">市民反馈未解决</Text>}
                        {c.reworkCount > 0 && <Text className="chip chip--review">返工 {c.reworkCount}</Text>}
                        {c.campaignId && <Text className="chip chip--waiting">活动</Text>}
                        {c.supporterCount > 0 && <Text className="chip chip--void">{c.supporterCount} 人附议</Text>}
                        <Text className="muted small">{formatRelative(c.createdAt)}</Text>
                      </View>
                    </View>
                  </View>
                );
              })}
              {hasMore && <View className="muted small load-more">{loading ? '加载中…' : '上拉加载更多'}</View>}
            </View>
          )}
        </View>
      )}
    </View>
  );
}
