import { useEffect, useMemo, useState } from 'react';
import { Alert, Card, Col, Descriptions, Empty, Image, Input, List, Modal, Row, Space, Tag, Typography } from 'antd';
import { OPEN_CASE_STATES, STAFF_STATE_NAMES_ZH, distanceMeters, type StaffCaseDetail, type StaffCaseSummary } from '@ssp/shared';
import { STATE_COLORS, formatTime } from '../format';
import { api, errorText, mediaUrl } from '../session';

interface Props {
  detail: StaffCaseDetail;
  onClose: () => void;
  onDone: (detail: StaffCaseDetail) => void;
  onConflict: (message: string) => void;
}

const metres = (m: number) => (m < 1000 ? `${Math.round(m)} 米` : `${(m / 1000).toFixed(1)} 公里`);

function Side({ title, c, distance }: { title: string; c: StaffCaseDetail; distance?: number }) {
  return (
    <Card
      size="small"
      title={title}
      extra={<Tag color={STATE_COLORS[c.state]}>{STAFF_STATE_NAMES_ZH[c.state]}</Tag>}
      data-testid={`merge-side-${c.caseNo}`}
    >
      <Descriptions column={1} size="small">
        <Descriptions.Item label="编号">{c.caseNo}</Descriptions.Item>
        <Descriptions.Item label="类别">{c.categoryName}</Descriptions.Item>
        <Descriptions.Item label="上报时间">{formatTime(c.createdAt)}</Descriptions.Item>
        <Descriptions.Item label="地址">{c.address ?? '（无地址）'}</Descriptions.Item>
        {distance !== undefined && <Descriptions.Item label="相距">{metres(distance)}</Descriptions.Item>}
        <Descriptions.Item label="描述">{c.description || '（无描述）'}</Descriptions.Item>
      </Descriptions>
      <Image.PreviewGroup>
        <Space wrap>
          {c.photos.map((p) => (
            <Image key={p.id} width={140} height={105} style={{ objectFit: 'cover' }} src={mediaUrl(p.thumbUrl)} preview={{ src: mediaUrl(p.url) }} />
          ))}
        </Space>
      </Image.PreviewGroup>
    </Card>
  );
}

/**
 * 合并重复上报, by comparing: open cases of the same grid nearest first (or one found by its
 * number), shown side by side with this one before the merge is confirmed.
 */
export function MergeModal({ detail, onClose, onDone, onConflict }: Props) {
  const [candidates, setCandidates] = useState<StaffCaseSummary[] | null>(null);
  const [chosen, setChosen] = useState<StaffCaseDetail | null>(null);
  const [note, setNote] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    api
      .call('caseQueue', { query: { gridId: detail.gridId, limit: 100 } })
      .then((page) => setCandidates(page.items.filter((c) => c.id !== detail.id && OPEN_CASE_STATES.includes(c.state))))
      .catch((e: unknown) => setError(errorText(e)));
  }, [detail]);

  const sorted = useMemo(
    () => (candidates ?? []).map((c) => ({ c, m: distanceMeters(c.location, detail.location) })).sort((a, b) => a.m - b.m),
    [candidates, detail],
  );

  const choose = async (id: string) => {
    setError(null);
    try {
      setChosen(await api.call('getStaffCase', { params: { id } }));
    } catch (e) {
      setError(errorText(e));
    }
  };

  const findByNumber = async (caseNo: string) => {
    const text = caseNo.trim();
    if (!text) return;
    const found = await api.call('caseQueue', { query: { q: text, limit: 5 } }).catch(() => null);
    const match = found?.items.find((c) => c.caseNo === text && c.id !== detail.id);
    if (match) await choose(match.id);
    else setError('没有找到该编号的其他案件');
  };

  const merge = async () => {
    if (!chosen) return;
    setBusy(true);
    try {
      onDone(
        await api.call('actOnCase', {
          params: { id: detail.id },
          body: { action: 'merge', version: detail.version, duplicateOf: chosen.id, ...(note.trim() ? { internalNote: note.trim() } : {}) },
        }),
      );
    } catch (e) {
      if ((e as { status?: number }).status === 409 && (e as { code?: string }).code !== 'CASE_NOT_OPEN') onConflict(errorText(e));
      else setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      open
      width={1160}
      title={`合并重复上报 · ${detail.caseNo}`}
      okText="确认合并"
      cancelText="取消"
      okButtonProps={{ disabled: !chosen, loading: busy, 'data-testid': 'merge-submit' } as never}
      onOk={() => void merge()}
      onCancel={onClose}
      destroyOnHidden
    >
      {error && <Alert type="error" showIcon message={error} style={{ marginBottom: 12 }} />}
      <Row gutter={16}>
        <Col span={7}>
          <Typography.Text strong>同网格的在办案件（由近到远）</Typography.Text>
          <Input.Search placeholder="或输入案件编号" enterButton="查找" onSearch={(v) => void findByNumber(v)} style={{ margin: '8px 0' }} />
          {candidates && sorted.length === 0 ? (
            <Empty description="附近没有在办案件" />
          ) : (
            <List
              size="small"
              loading={!candidates}
              dataSource={sorted}
              style={{ maxHeight: 460, overflow: 'auto' }}
              renderItem={({ c, m }) => (
                <List.Item
                  onClick={() => void choose(c.id)}
                  style={{ cursor: 'pointer', background: chosen?.id === c.id ? '#e6f4ff' : undefined, paddingLeft: 8 }}
                  data-testid={`merge-candidate-${c.caseNo}`}
                >
                  <List.Item.Meta
                    avatar={c.thumbUrl ? <img src={mediaUrl(c.thumbUrl)} width={48} height={36} style={{ objectFit: 'cover' }} alt="" /> : undefined}
                    title={`${c.caseNo} · ${c.categoryName}`}
                    description={`${metres(m)} · ${STAFF_STATE_NAMES_ZH[c.state]} · ${formatTime(c.createdAt)}`}
                  />
                </List.Item>
              )}
            />
          )}
        </Col>
        <Col span={17}>
          <Row gutter={12}>
            <Col span={12}>
              <Side title="本案件（将作为重复上报关闭）" c={detail} />
            </Col>
            <Col span={12}>
              {chosen ? (
                <Side title="保留的案件（上报人将成为附议人）" c={chosen} distance={distanceMeters(chosen.location, detail.location)} />
              ) : (
                <Card size="small">
                  <Empty description="在左侧选择与之重复的案件进行对比" />
                </Card>
              )}
            </Col>
          </Row>
          <Input.TextArea
            rows={2}
            maxLength={500}
            value={note}
            onChange={(e) => setNote(e.target.value)}
            placeholder="内部备注（选填，仅工作人员可见）"
            style={{ marginTop: 12 }}
          />
        </Col>
      </Row>
    </Modal>
  );
}
