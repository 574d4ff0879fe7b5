import { useCallback, useEffect, useState } from 'react';
import { Alert, App, Button, Descriptions, Drawer, Empty, Image, Space, Spin, Tag, Timeline, Typography } from 'antd';
import {
  ACTOR_ROLE_NAMES_ZH,
  STAFF_STATE_NAMES_ZH,
  offeredActions,
  type ActionSpec,
  type ActorRole,
  type CaseState,
  type StaffCaseDetail,
} from '@ssp/shared';
import type { Catalogue } from '../catalogue';
import { SOURCE_NAMES_ZH, STATE_COLORS, deadlineCountdown, formatTime } from '../format';
import { api, errorText, mediaUrl } from '../session';
import { ActionModal } from './ActionModal';
import { MergeModal } from './MergeModal';
import { ACTION_KEYS, NEXT_KEY, PREVIOUS_KEY, useLetterKeys } from '../shortcuts';

interface Props {
  caseId: string | null;
  catalogue: Catalogue | null;
  now: number;
  onClose: () => void;
  /** The case changed (an action went through): the queue reloads. */
  onChanged: () => void;
  /** Opens the next (1) or previous (-1) case of the queue (keys J and K). */
  onStep?: (direction: 1 | -1) => void;
}

const stateName = (s: string | null) => (s ? (STAFF_STATE_NAMES_ZH[s as CaseState] ?? s) : '');

function Photos({ photos, testId }: { photos: StaffCaseDetail['photos']; testId: string }) {
  if (!photos.length) return <Typography.Text type="secondary">无</Typography.Text>;
  return (
    <Image.PreviewGroup>
      <Space wrap data-testid={testId}>
        {photos.map((p) => (
          <Image key={p.id} width={120} height={90} style={{ objectFit: 'cover' }} src={mediaUrl(p.thumbUrl)} preview={{ src: mediaUrl(p.url) }} />
        ))}
      </Space>
    </Image.PreviewGroup>
  );
}

/** One case: what was reported, where, its photos and timeline, and the actions the role may take now. */
export function CaseDrawer({ caseId, catalogue, now, onClose, onChanged, onStep }: Props) {
  const { message } = App.useApp();
  const [detail, setDetail] = useState<StaffCaseDetail | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [acting, setActing] = useState<ActionSpec | null>(null);
  /** Why the last action was refused (the case changed meanwhile). */
  const [conflict, setConflict] = useState<string | null>(null);

  const load = useCallback(async () => {
    if (!caseId) return;
    setError(null);
    try {
      setDetail(await api.call('getStaffCase', { params: { id: caseId } }));
    } catch (e) {
      setError(errorText(e));
    }
  }, [caseId]);

  useEffect(() => {
    setDetail(null);
    setConflict(null);
    void load();
  }, [load]);

  /** An action went through: show the case as it is now. */
  const finished = (next: StaffCaseDetail, text: string) => {
    setActing(null);
    setDetail(next);
    void message.success(text);
    onChanged();
  };
  /** Someone acted first: say so and show the case as it is now. */
  const conflicted = (text: string) => {
    setActing(null);
    setConflict(text);
    void load();
    onChanged();
  };

  const d = detail && detail.id === caseId ? detail : null;
  const countdown = d
    ? deadlineCountdown(d.deadline, d.state, now, { calendar: catalogue?.calendar, urgent: catalogue?.isUrgent(d.categoryId) })
    : null;
  const offered = d ? offeredActions(d.allowedActions) : [];

  // Keyboard: a letter opens its action's form, J and K move through the queue.
  useLetterKeys(!!caseId && !acting, (key) => {
    if (key === NEXT_KEY) return onStep?.(1);
    if (key === PREVIOUS_KEY) return onStep?.(-1);
    const spec = offered.find((s) => ACTION_KEYS[s.action] === key);
    if (spec) {
      setConflict(null);
      setActing(spec);
    }
  });
  const keyHints = [
    ...offered.filter((s) => ACTION_KEYS[s.action]).map((s) => `${ACTION_KEYS[s.action]} ${s.label}`),
    ...(onStep ? [`${NEXT_KEY}/${PREVIOUS_KEY} 下一件/上一件`] : []),
  ];

  return (
    <Drawer
      open={!!caseId}
      width={760}
      onClose={onClose}
      title={d ? `案件 ${d.caseNo}` : '案件详情'}
      extra={d && <Tag color={STATE_COLORS[d.state]}>{STAFF_STATE_NAMES_ZH[d.state]}</Tag>}
      footer={
        d && (
          <Space direction="vertical" style={{ width: '100%' }}>
            <Space wrap data-testid="case-actions">
              {offered.map((spec) => (
                <Button
                  key={spec.action}
                  type={spec.tone === 'primary' ? 'primary' : 'default'}
                  danger={spec.tone === 'danger'}
                  onClick={() => {
                    setConflict(null);
                    setActing(spec);
                  }}
                  data-testid={`action-${spec.action}`}
                >
                  {spec.label}
                </Button>
              ))}
              {d.allowedActions.length === 0 && <Typography.Text type="secondary">当前状态下您没有可办理的操作</Typography.Text>}
            </Space>
            {keyHints.length > 0 && (
              <Typography.Text type="secondary" style={{ fontSize: 12 }} data-testid="key-hints">
                快捷键：{keyHints.join(' · ')}
              </Typography.Text>
            )}
          </Space>
        )
      }
    >
      {error && <Alert type="error" showIcon message={error} />}
      {!d && !error && <Spin />}
      {d && (
        <div data-testid="case-detail">
          {conflict && (
            <Alert type="error" showIcon style={{ marginBottom: 16 }} message="操作未成功" description={conflict} data-testid="case-conflict" />
          )}
          {d.postponeRequest && (
            <Alert
              type="warning"
              showIcon
              style={{ marginBottom: 16 }}
              message={`处置部门申请缓办 ${d.postponeRequest.extra}`}
              description={`理由：${d.postponeRequest.reason}（${formatTime(d.postponeRequest.at)}）`}
            />
          )}
          {d.reopenRequest && (
            <Alert
              type="warning"
              showIcon
              style={{ marginBottom: 16 }}
              message="上报人反馈问题未解决"
              description={`${d.reopenRequest.note}（${formatTime(d.reopenRequest.at)}）`}
            />
          )}
          <Descriptions column={2} bordered size="small">
            <Descriptions.Item label="问题类别">{d.categoryName}</Descriptions.Item>
            <Descriptions.Item label="来源">{d.campaignId ? '活动上报' : (SOURCE_NAMES_ZH[d.source] ?? d.source)}</Descriptions.Item>
            <Descriptions.Item label="位置" span={2}>
              {d.address ?? '（无地址）'}
              <Typography.Text type="secondary">
                {' '}
                {catalogue ? [d.districtId, d.streetId, d.gridId].map((id) => catalogue.areaName(id)).join(' / ') : ''}（{d.location.lat.toFixed(5)},{' '}
                {d.location.lng.toFixed(5)}）
              </Typography.Text>
            </Descriptions.Item>
            <Descriptions.Item label="处置部门">{catalogue?.departmentName(d.departmentId) ?? d.departmentId ?? '—'}</Descriptions.Item>
            <Descriptions.Item label="处置时限">
              {d.deadline ? formatTime(d.deadline) : '—'}{' '}
              {countdown && (
                <Typography.Text type={countdown.overdue ? 'danger' : 'secondary'} strong={countdown.overdue}>
                  （{countdown.text}）
                </Typography.Text>
              )}
            </Descriptions.Item>
            <Descriptions.Item label="上报人">{d.anonymous ? '匿名' : (d.reporterNickname ?? '—')}</Descriptions.Item>
            <Descriptions.Item label="上报时间">{formatTime(d.createdAt)}</Descriptions.Item>
            <Descriptions.Item label="附议人数">{d.supporterCount}</Descriptions.Item>
            <Descriptions.Item label="返工次数">{d.reworkCount}</Descriptions.Item>
            <Descriptions.Item label="问题描述" span={2}>
              {d.description || <Typography.Text type="secondary">（无描述）</Typography.Text>}
            </Descriptions.Item>
          </Descriptions>

          <Typography.Title level={5}>上报照片</Typography.Title>
          <Photos photos={d.photos} testId="case-photos" />
          {d.afterPhotos.length > 0 && (
            <>
              <Typography.Title level={5}>处置后照片</Typography.Title>
              <Photos photos={d.afterPhotos} testId="case-after-photos" />
            </>
          )}

          <Typography.Title level={5} style={{ marginTop: 24 }}>
            办理过程
          </Typography.Title>
          {d.events.length === 0 ? (
            <Empty />
          ) : (
            <Timeline
              data-testid="case-timeline"
              items={d.events.map((e) => ({
                key: e.seq,
                children: (
                  <div>
                    <Typography.Text strong>{e.actionName}</Typography.Text>{' '}
                    <Typography.Text type="secondary">
                      {formatTime(e.at)} · {ACTOR_ROLE_NAMES_ZH[e.actorRole as ActorRole] ?? e.actorRole}
                      {e.actorName ? ` · ${e.actorName}` : ''}
                      {e.from && e.from !== e.to ? ` · ${stateName(e.from)} → ${stateName(e.to)}` : ''}
                    </Typography.Text>
                    {e.publicNote && <div>说明：{e.publicNote}</div>}
                    {e.internalNote && <div>内部备注：{e.internalNote}</div>}
                    {e.photos.length > 0 && (
                      <div style={{ marginTop: 8 }}>
                        <Photos photos={e.photos} testId={`event-photos-${e.seq}`} />
                      </div>
                    )}
                  </div>
                ),
              }))}
            />
          )}
          {acting?.action === 'merge' ? (
            <MergeModal detail={d} onClose={() => setActing(null)} onDone={(next) => finished(next, '已合并为重复上报')} onConflict={conflicted} />
          ) : (
            <ActionModal
              spec={acting}
              detail={d}
              catalogue={catalogue}
              onClose={() => setActing(null)}
              onDone={(next) => finished(next, '办理成功')}
              onConflict={conflicted}
            />
          )}
        </div>
      )}
    </Drawer>
  );
}
