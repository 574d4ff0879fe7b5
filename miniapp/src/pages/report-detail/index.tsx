import { useState } from 'react';
import Taro, { useDidShow, usePullDownRefresh } from '@tarojs/taro';
import { Text, Textarea, View } from '@tarojs/components';
import { pageUrl, type ReportDetail } from '@ssp/shared';
import { PhotoStrip } from '../../components/PhotoStrip';
import { Stars } from '../../components/Stars';
import { LoadError, Loading } from '../../components/States';
import { StatusChip } from '../../components/StatusChip';
import { Timeline } from '../../components/Timeline';
import { useAsync } from '../../hooks/useAsync';
import { usePageQuery } from '../../hooks/usePageQuery';
import { describeDeadline, formatDateTime } from '../../logic/format';
import { STATUS_EXPLANATIONS } from '../../logic/status';
import { reportsApi } from '../../services/api';
import { refreshMe, requireCitizen } from '../../services/session';
import { askToSubscribe, currentSubscriptions, loadSubscriptions } from '../../services/subscriptions';
import { caseUpdatesReachWeChat, templatesToAsk } from '../../logic/subscriptions';
import { confirm, toastError, toastOk } from '../../services/ui';
import './index.css';
import { TextScale } from '../../components/TextScale';
import { pressable } from '../../components/pressable';

type Panel = 'none' | 'edit' | 'notFixed';

export default function ReportDetailPage() {
  const params = usePageQuery('reportDetail');
  const id = params.id ?? '';
  const state = useAsync(async () => ((await requireCitizen()) ? reportsApi.detail(id) : null), [id]);
  const [panel, setPanel] = useState<Panel>('none');
  const [text, setText] = useState('');
  const [score, setScore] = useState(0);
  const [comment, setComment] = useState('');
  const [busy, setBusy] = useState(false);

  const [subscriptions, setSubscriptions] = useState(currentSubscriptions());
  useDidShow(() => void loadSubscriptions().then(setSubscriptions));
  usePullDownRefresh(() => void state.reload().finally(() => Taro.stopPullDownRefresh()));

  const subscribe = async () => {
    if (await askToSubscribe()) {
      setSubscriptions(currentSubscriptions());
      toastOk(caseUpdatesReachWeChat(currentSubscriptions()) ? '已订阅进度提醒' : '未订阅，进度仍会出现在消息中');
    }
  };

  const run = async (fn: () => Promise<ReportDetail>, ok: string) => {
    setBusy(true);
    try {
      state.setData(await fn());
      setPanel('none');
      toastOk(ok);
      void refreshMe().catch(() => undefined);
    } catch (e) {
      toastError(e);
    } finally {
      setBusy(false);
    }
  };

  const r = state.data;
  if (!r) return state.error ? <LoadError message={state.error} onRetry={() => void state.reload()} /> : <Loading />;
  const deadline = describeDeadline(r.deadline, r.state);

  return (
    <View className="page detail">
      <TextScale />
      <View className="card">
        <View className="row row--between">
          <Text className="detail__category">{r.categoryName}</Text>
          <StatusChip status={r.status} />
        </View>
        <Text className="muted small detail__explain" data-testid="status-explain">
          {r.rejectReason && r.status === '已作废' ? `${STATUS_EXPLANATIONS[r.status]}：${r.rejectReason}` : STATUS_EXPLANATIONS[r.status]}
        </Text>
        {r.mergedInto && <Text className="muted small">已并入案件 {r.mergedInto.caseNo}，处理进度将同步给您</Text>}
        <View className="detail__meta">
          <Text className="muted small">案件编号 {r.caseNo}</Text>
          <Text className="muted small">上报时间 {formatDateTime(r.createdAt)}</Text>
          {r.address && <Text className="muted small">位置 {r.address}</Text>}
          {deadline && (
            <Text className={`small ${deadline.overdue ? 'danger-text' : 'muted'}`} data-testid="deadline">
              处置时限 {formatDateTime(r.deadline!)}（{deadline.text}）
            </Text>
          )}
          {r.supporterCount > 0 && <Text className="muted small">{r.supporterCount} 位市民也遇到了这个问题</Text>}
        </View>
      </View>

      <View className="card">
        <View className="card__title">问题照片</View>
        <PhotoStrip photos={r.photos} testId="before-photos" />
        {r.description && <View className="detail__desc">{r.description}</View>}
      </View>

      {r.afterPhotos.length > 0 && (
        <View className="card">
          <View className="card__title">处理后照片</View>
          <PhotoStrip photos={r.afterPhotos} testId="after-photos" />
        </View>
      )}

      {r.relation === 'reporter' && (r.can.rate || r.rating) && (
        <View className="card" data-testid="rating">
          <View className="card__title">评价处理结果</View>
          {r.rating ? (
            <View>
              <Stars value={r.rating.score} />
              {r.rating.comment && <View className="detail__desc">{r.rating.comment}</View>}
              <Text className="muted small">感谢您的评价</Text>
            </View>
          ) : (
            <View>
              <Stars value={score} onChange={setScore} />
              <Textarea
                className="field__textarea detail__comment"
                nativeProps={{ 'aria-label': '评价内容（选填）' }}
                placeholder="说说处理得怎么样（选填）"
                maxlength={300}
                value={comment}
                onInput={(e) => setComment(e.detail.value)}
              />
              <View
                className={`btn btn--primary btn--block ${!score || busy ? 'btn--disabled' : ''}`}
                aria-disabled={!!(!score || busy)}
                {...pressable(async () => {
                  if (!score || busy) return;
                  // After rating: the moment to ask again, for the citizen's next reports.
                  await askToSubscribe();
                  void run(() => reportsApi.rate(r.id, score, comment.trim()), '评价成功');
                })}
                data-testid="rate-submit"
              >
                提交评价
              </View>
            </View>
          )}
        </View>
      )}

      {r.relation === 'reporter' && r.state !== 'closed' && r.status !== '已作废' && r.status !== '已撤回' && (
        <View className="card" data-testid="progress-alerts">
          {process.env.TARO_ENV === 'weapp' && templatesToAsk(subscriptions).length > 0 && !caseUpdatesReachWeChat(subscriptions) && (
            <View className="btn btn--primary btn--block" {...pressable(() => void subscribe())} data-testid="subscribe-progress">
              订阅进度提醒
            </View>
          )}
          <View className="list-item" {...pressable(() => void Taro.navigateTo({ url: pageUrl('messages') }), 'link')}>
            <Text className="grow muted small">每一步进度都会出现在「我的 - 消息」中</Text>
            <Text className="list-item__arrow">›</Text>
          </View>
        </View>
      )}

      {r.relation === 'reporter' && r.state === 'closed' && (
        <View
          className="btn btn--block"
          data-testid="share-fixed"
          {...pressable(
            () =>
              void reportsApi
                .share(r.id)
                .then(() => Taro.navigateTo({ url: pageUrl('sharedCase', { id: r.id }) }))
                .catch(toastError),
          )}
        >
          分享修好前后对比
        </View>
      )}

      {r.reopenRequested && <View className="banner">您已反馈“没修好”，工作人员会尽快核实处理</View>}

      {(r.can.edit || r.can.withdraw || r.can.confirmFixed || r.can.reportNotFixed) && (
        <View className="card">
          {r.can.confirmFixed && (
            <View className="btn btn--primary btn--block" {...pressable(() => !busy && void run(() => reportsApi.confirm(r.id), '已确认解决'))}>
              确认已解决
            </View>
          )}
          {r.can.edit && (
            <View
              className="btn btn--block"
              {...pressable(() => {
                setText(r.description);
                setPanel('edit');
              })}
            >
              修改描述
            </View>
          )}
          {r.can.reportNotFixed && (
            <View className="btn btn--danger btn--block" {...pressable(() => setPanel('notFixed'))} data-testid="not-fixed">
              没修好
            </View>
          )}
          {r.can.withdraw && (
            <View
              className="btn btn--danger btn--block"
              {...pressable(async () => {
                if (await confirm('撤回上报', '撤回后工作人员将不再处理这条上报，确定撤回吗？', '撤回')) {
                  void run(() => reportsApi.withdraw(r.id), '已撤回');
                }
              })}
              data-testid="withdraw"
            >
              撤回上报
            </View>
          )}
          {panel !== 'none' && (
            <View className="detail__panel">
              <Textarea
                className="field__textarea"
                nativeProps={{ 'aria-label': panel === 'edit' ? '问题描述' : '哪里没修好' }}
                placeholder={panel === 'edit' ? '补充或修改问题描述' : '请说明哪里没修好（必填）'}
                maxlength={panel === 'edit' ? 500 : 300}
                value={text}
                onInput={(e) => setText(e.detail.value)}
              />
              <View className="btn-row mt-m">
                <View className="btn btn--small" {...pressable(() => setPanel('none'))}>
                  取消
                </View>
                <View
                  className={`btn btn--primary btn--small ${busy || (panel === 'notFixed' && !text.trim()) ? 'btn--disabled' : ''}`}
                  aria-disabled={!!(busy || (panel === 'notFixed' && !text.trim()))}
                  {...pressable(() => {
                    if (busy) return;
                    if (panel === 'edit') void run(() => reportsApi.edit(r.id, text.trim()), '已保存');
                    else if (text.trim()) void run(() => reportsApi.notFixed(r.id, text.trim()), '已反馈');
                  })}
                >
                  提交
                </View>
              </View>
            </View>
          )}
        </View>
      )}

      <View className="card">
        <View className="card__title">处理进度</View>
        <Timeline
          items={r.timeline.map((t, i) => ({
            key: `${i}`,
            at: t.at,
            title: `${t.actionName}`,
            actor: `${t.actor} · ${t.status}`,
            note: t.note,
            photos: t.photos,
          }))}
        />
      </View>
    </View>
  );
}
