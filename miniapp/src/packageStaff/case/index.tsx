import { useEffect, useState } from 'react';
import Taro, { usePullDownRefresh } from '@tarojs/taro';
import { Text, View } from '@tarojs/components';
import { ACTOR_ROLE_NAMES_ZH, ApiRequestError, type ActorRole, type PublicDepartment } from '@ssp/shared';
import { PhotoStrip } from '../../components/PhotoStrip';
import { Sheet } from '../../components/Sheet';
import { LoadError, Loading } from '../../components/States';
import { Timeline } from '../../components/Timeline';
import { useAsync } from '../../hooks/useAsync';
import { usePageQuery } from '../../hooks/usePageQuery';
import { describeDeadline, formatDateTime } from '../../logic/format';
import { offeredActions, type ActionSpec, type BuiltAction } from '../../logic/staff-actions';
import { STAFF_STATE_NAMES_ZH } from '../../logic/status';
import { staffCasesApi } from '../../services/api';
import { errorMessage, toastOk } from '../../services/ui';
import { ActionForm } from '../components/ActionForm';
import { TextScale } from '../../components/TextScale';
import { pressable } from '../../components/pressable';
import '../staff.css';

/**
 * Opens the location in a map app to navigate there. GCJ-02 throughout: WeChat's
 * openLocation takes it, and so does AMap's web marker (the H5 fallback).
 */
function navigateToSite(at: { lat: number; lng: number }, name: string, address: string): void {
  if (process.env.TARO_ENV === 'weapp') {
    void Taro.openLocation({ latitude: at.lat, longitude: at.lng, name, address, scale: 17 });
    return;
  }
  const url = `https://uri.amap.com/marker?position=${at.lng},${at.lat}&name=${encodeURIComponent(name)}&coordinate=gaode&callnative=1`;
  window.open(url, '_blank', 'noopener');
}

export default function StaffCasePage() {
  const params = usePageQuery('staffCase');
  const id = params.id ?? '';
  const detail = useAsync(() => staffCasesApi.detail(id), [id]);
  const [departments, setDepartments] = useState<PublicDepartment[]>([]);
  const [acting, setActing] = useState<ActionSpec | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    staffCasesApi
      .departments()
      .then((r) => setDepartments(r.departments))
      .catch(() => undefined);
  }, []);
  usePullDownRefresh(() => void detail.reload().finally(() => Taro.stopPullDownRefresh()));

  const d = detail.data;
  if (!d) return detail.error ? <LoadError message={detail.error} onRetry={() => void detail.reload()} /> : <Loading />;
  const deptName = (deptId: string | null) => departments.find((x) => x.id === deptId)?.name ?? deptId ?? '—';
  const dl = describeDeadline(d.deadline, d.state);
  const actions = offeredActions(d.allowedActions);

  const submit = async (built: BuiltAction) => {
    if (!built.ok) {
      void Taro.showToast({ title: built.message, icon: 'none' });
      return;
    }
    setBusy(true);
    try {
      detail.setData(await staffCasesApi.act(d.id, built.body));
      setActing(null);
      toastOk('已提交');
    } catch (e) {
      // Someone else acted first: show the case as it is now.
      if (e instanceof ApiRequestError && (e.code === 'CONFLICT' || e.code === 'ILLEGAL_TRANSITION')) {
        setActing(null);
        void detail.reload();
      }
      void Taro.showModal({ title: '操作未成功', content: errorMessage(e), showCancel: false });
    } finally {
      setBusy(false);
    }
  };

  return (
    <View className="page">
      <TextScale />
      <View className="card">
        <View className="row row--between">
          <Text className="title-l">{d.categoryName}</Text>
          <Text className="chip chip--active" data-testid="case-state">
            {STAFF_STATE_NAMES_ZH[d.state]}
          </Text>
        </View>
        <View className="case-flags">
          {d.overdue && <Text className="chip chip--danger">已超期</Text>}
          {d.reworkCount > 0 && <Text className="chip chip--review">返工 {d.reworkCount} 次</Text>}
          {d.supporterCount > 0 && <Text className="chip chip--void">{d.supporterCount} 人附议</Text>}
          {d.campaignId && <Text className="chip chip--waiting">活动上报</Text>}
        </View>
        <View className="kv">
          <Text className="kv__k">案件编号</Text>
          <Text className="kv__v">{d.caseNo}</Text>
        </View>
        <View className="kv">
          <Text className="kv__k">上报时间</Text>
          <Text className="kv__v">{formatDateTime(d.createdAt)}</Text>
        </View>
        <View className="kv">
          <Text className="kv__k">上报人</Text>
          <Text className="kv__v">{d.anonymous ? '匿名' : (d.reporterNickname ?? '—')}</Text>
        </View>
        <View className="kv">
          <Text className="kv__k">位置</Text>
          <Text className="kv__v">
            {d.address ? `${d.address} ` : ''}({d.location.lat.toFixed(5)}, {d.location.lng.toFixed(5)}) 网格 {d.gridId}
          </Text>
        </View>
        <View
          className="btn btn--small mt-s"
          data-testid="navigate-to-site"
          {...pressable(() => navigateToSite(d.location, d.categoryName, d.address ?? `网格 ${d.gridId}`))}
        >
          导航到现场
        </View>
        <View className="kv">
          <Text className="kv__k">处置部门</Text>
          <Text className="kv__v">
            {d.departmentId ? deptName(d.departmentId) : `建议：${d.proposedDepartments.map(deptName).join('、') || '—'}`}
          </Text>
        </View>
        {d.deadline && (
          <View className="kv">
            <Text className="kv__k">处置时限</Text>
            <Text className={`kv__v ${dl?.overdue ? 'danger-text' : ''}`}>
              {formatDateTime(d.deadline)}（{dl?.text}）
            </Text>
          </View>
        )}
        {d.description && <View className="tl__note">{d.description}</View>}
      </View>

      {d.postponeRequest && (
        <View className="banner">
          缓办申请：延长 {d.postponeRequest.extra}，理由：{d.postponeRequest.reason}
        </View>
      )}
      {d.flaggedPhotoIds.length > 0 && (
        <View className="banner banner--error" data-testid="photo-flagged">
          {d.flaggedPhotoIds.length} 张照片未通过微信内容安全检查，已对公众隐藏，请核实后处理
        </View>
      )}
      {d.reopenRequest && <View className="banner banner--error">市民反馈未解决：{d.reopenRequest.note}</View>}
      {d.rating && (
        <View className="banner banner--info">
          市民评价 {d.rating.score} 星{d.rating.comment ? `：${d.rating.comment}` : ''}
        </View>
      )}

      <View className="card">
        <View className="card__title">现场照片</View>
        <PhotoStrip photos={d.photos} />
        {d.afterPhotos.length > 0 && (
          <View>
            <View className="card__title mt-m">处置后照片</View>
            <PhotoStrip photos={d.afterPhotos} />
          </View>
        )}
      </View>

      <View className="card">
        <View className="card__title">办理记录</View>
        <Timeline
          items={d.events.map((e) => ({
            key: String(e.seq),
            at: e.at,
            title: e.actionName,
            actor: `${ACTOR_ROLE_NAMES_ZH[e.actorRole as ActorRole] ?? e.actorRole}${e.actorName ? ` · ${e.actorName}` : ''}${e.from ? ` · ${STAFF_STATE_NAMES_ZH[e.from as keyof typeof STAFF_STATE_NAMES_ZH] ?? e.from} → ${STAFF_STATE_NAMES_ZH[e.to as keyof typeof STAFF_STATE_NAMES_ZH] ?? e.to}` : ''}`,
            note: e.publicNote,
            extra: e.internalNote ? `内部：${e.internalNote}` : null,
            photos: e.photos,
          }))}
        />
      </View>

      {actions.length > 0 ? (
        <View className="actions-bar" data-testid="case-actions">
          {actions.map((a) => (
            <View
              key={a.action}
              className={`btn btn--small ${a.tone === 'primary' ? 'btn--primary' : a.tone === 'danger' ? 'btn--danger' : 'btn--ghost'}`}
              {...pressable(() => setActing(a))}
              data-testid={`action-${a.action}`}
            >
              {a.label}
            </View>
          ))}
        </View>
      ) : (
        <Text className="muted small block center">当前状态下您没有需要办理的操作</Text>
      )}

      <Sheet title={acting ? acting.label : ''} open={!!acting} onClose={() => !busy && setActing(null)}>
        {acting && (
          <ActionForm
            spec={acting}
            detail={d}
            departments={departments}
            busy={busy}
            onSubmit={(b) => void submit(b)}
            onCancel={() => setActing(null)}
          />
        )}
      </Sheet>
    </View>
  );
}
