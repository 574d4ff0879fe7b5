import { useCallback, useEffect, useState } from 'react';
import { Alert, App, Button, Card, Form, Input, Modal, Space, Table, Tabs, Tag, Typography } from 'antd';
import { DownloadOutlined } from '@ant-design/icons';
import { CLAIM_STATUS_NAMES_ZH, failClaimSchema, fulfilClaimSchema, type ClaimStatus, type StaffClaim } from '@ssp/shared';
import { formatTime } from '../format';
import { apiProblems, schemaProblems, showFieldErrors } from '../forms';
import { api, errorText } from '../session';

const TABS: { key: ClaimStatus | 'all'; title: string }[] = [
  { key: 'pending', title: '待发放' },
  { key: 'fulfilled', title: '已发放' },
  { key: 'failed', title: '发放失败' },
  { key: 'all', title: '全部' },
];
const STATUS_COLORS: Record<ClaimStatus, string> = { reserving: 'default', pending: 'gold', fulfilled: 'green', failed: 'red', rejected: 'default' };

/** 兑换发放: citizens' reward claims, handed over (with a voucher or top-up reference) or refunded. */
export function ClaimsPage() {
  const { message, modal } = App.useApp();
  const [tab, setTab] = useState<ClaimStatus | 'all'>('pending');
  const [items, setItems] = useState<StaffClaim[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [acting, setActing] = useState<{ claim: StaffClaim; kind: 'fulfil' | 'fail' } | null>(null);
  const [busy, setBusy] = useState(false);
  const [form] = Form.useForm<{ code?: string; reason?: string }>();

  const load = useCallback(
    async (after?: string) => {
      setLoading(true);
      try {
        const page = await api.call('listClaims', {
          query: { ...(tab === 'all' ? {} : { status: tab }), limit: 50, ...(after ? { cursor: after } : {}) },
        });
        setItems((prev) => (after ? [...prev, ...page.items] : page.items));
        setCursor(page.nextCursor);
        setError(null);
      } catch (e) {
        setError(errorText(e));
      } finally {
        setLoading(false);
      }
    },
    [tab],
  );
  useEffect(() => {
    void load();
  }, [load]);

  const submit = async () => {
    if (!acting) return;
    const v = form.getFieldsValue();
    const { claim, kind } = acting;
    const parsed = kind === 'fulfil' ? fulfilClaimSchema.safeParse({ code: v.code ?? '' }) : failClaimSchema.safeParse({ reason: v.reason ?? '' });
    if (!parsed.success) {
      showFieldErrors(form, schemaProblems(parsed.error), ['code', 'reason']);
      return;
    }
    setBusy(true);
    try {
      if (kind === 'fulfil') await api.call('fulfilClaim', { params: { id: claim.id }, body: parsed.data as { code: string } });
      else await api.call('failClaim', { params: { id: claim.id }, body: parsed.data as { reason: string } });
      void message.success(kind === 'fulfil' ? '已标记发放' : '已标记发放失败，积分已退回');
      setActing(null);
      void load();
    } catch (e) {
      if (!showFieldErrors(form, apiProblems(e), ['code', 'reason'])) void message.error(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  /** 已发放 → 已送达; a second click (or someone else's) finds it delivered and changes nothing. */
  const markDelivered = (claim: StaffClaim) => {
    modal.confirm({
      title: '标记已送达',
      content: `确认「${claim.rewardName}」已送达市民「${claim.citizenNickname}」？市民将看到「已送达」。`,
      okText: '确认送达',
      cancelText: '取消',
      okButtonProps: { 'data-testid': 'claim-deliver-confirm' } as never,
      onOk: async () => {
        try {
          await api.call('markClaimDelivered', { params: { id: claim.id }, body: {} });
          void message.success('已标记送达');
          void load();
        } catch (e) {
          void message.error(errorText(e));
        }
      },
    });
  };

  const exportCsv = async () => {
    const status = tab === 'fulfilled' || tab === 'failed' ? tab : 'pending';
    try {
      const text = String(await api.call('exportClaimsCsv', { query: { status } }));
      // Excel opens UTF-8 CSV correctly only with the byte-order mark.
      const blob = new Blob([text.startsWith('\ufeff') ? text : `\ufeff${text}`], { type: 'text/csv;charset=utf-8' });
      const a = document.createElement('a');
      a.href = URL.createObjectURL(blob);
      a.download = `兑换清单-${CLAIM_STATUS_NAMES_ZH[status]}.csv`;
      a.click();
      URL.revokeObjectURL(a.href);
    } catch (e) {
      void message.error(errorText(e));
    }
  };

  return (
    <Card>
      <Space style={{ width: '100%', justifyContent: 'space-between' }}>
        <Typography.Title level={4} style={{ margin: 0 }}>
          兑换发放
        </Typography.Title>
        <Button icon={<DownloadOutlined />} onClick={() => void exportCsv()} data-testid="claims-export">
          导出清单（CSV）
        </Button>
      </Space>
      <Typography.Paragraph type="secondary" style={{ marginTop: 8 }}>
        市民兑换的奖励：发放后填写券码、充值单号或快递单号；实物送到后标记已送达；无法发放时标记失败，积分自动退回市民账户。
      </Typography.Paragraph>
      <Tabs activeKey={tab} onChange={(k) => setTab(k as ClaimStatus | 'all')} items={TABS.map((t) => ({ key: t.key, label: t.title }))} />
      {error && <Alert type="error" showIcon message={error} style={{ marginBottom: 16 }} />}
      <Table<StaffClaim>
        rowKey="id"
        loading={loading}
        dataSource={items}
        pagination={false}
        locale={{ emptyText: '没有兑换申请' }}
        onRow={(c) => ({ 'data-testid': `claim-row-${c.citizenNickname}` }) as React.HTMLAttributes<HTMLElement>}
        columns={[
          { title: '奖励', dataIndex: 'rewardName', key: 'reward' },
          { title: '积分', dataIndex: 'costPoints', key: 'cost', width: 80 },
          { title: '市民', dataIndex: 'citizenNickname', key: 'citizen' },
          { title: '手机号', key: 'phone', render: (_: unknown, c: StaffClaim) => c.phoneMasked ?? '—' },
          {
            title: '状态',
            key: 'status',
            render: (_: unknown, c: StaffClaim) => <Tag color={c.deliveredAt ? 'success' : STATUS_COLORS[c.status]}>{c.statusName}</Tag>,
          },
          { title: '申请时间', key: 'createdAt', render: (_: unknown, c: StaffClaim) => formatTime(c.createdAt) },
          { title: '送达时间', key: 'deliveredAt', render: (_: unknown, c: StaffClaim) => formatTime(c.deliveredAt) },
          { title: '凭证 / 原因', key: 'code', render: (_: unknown, c: StaffClaim) => c.fulfilmentCode ?? c.failReason ?? '—' },
          {
            title: '操作',
            key: 'act',
            render: (_: unknown, c: StaffClaim) =>
              c.status === 'pending' ? (
                <Space>
                  <Button
                    size="small"
                    type="primary"
                    onClick={() => {
                      form.resetFields();
                      setActing({ claim: c, kind: 'fulfil' });
                    }}
                    data-testid="claim-fulfil"
                  >
                    标记已发放
                  </Button>
                  <Button
                    size="small"
                    danger
                    onClick={() => {
                      form.resetFields();
                      setActing({ claim: c, kind: 'fail' });
                    }}
                  >
                    发放失败
                  </Button>
                </Space>
              ) : c.status === 'fulfilled' && !c.deliveredAt ? (
                <Button size="small" type="primary" ghost onClick={() => markDelivered(c)} data-testid="claim-deliver">
                  标记已送达
                </Button>
              ) : null,
          },
        ]}
      />
      {cursor && (
        <div style={{ textAlign: 'center', marginTop: 16 }}>
          <Button onClick={() => void load(cursor)} loading={loading}>
            加载更多
          </Button>
        </div>
      )}
      <Modal
        open={!!acting}
        title={
          acting ? `${acting.kind === 'fulfil' ? '标记已发放' : '标记发放失败'} · ${acting.claim.rewardName} · ${acting.claim.citizenNickname}` : ''
        }
        okText="确定"
        cancelText="取消"
        okButtonProps={{ loading: busy, danger: acting?.kind === 'fail', 'data-testid': 'claim-submit' } as never}
        onOk={() => void submit()}
        onCancel={() => setActing(null)}
        forceRender
      >
        <Form form={form} layout="vertical">
          {acting?.kind === 'fulfil' ? (
            <Form.Item name="code" label="发放凭证（券码、充值单号或快递单号）" required>
              <Input maxLength={100} data-testid="claim-code" />
            </Form.Item>
          ) : (
            <Form.Item name="reason" label="失败原因（市民可以看到）" required>
              <Input.TextArea rows={2} maxLength={200} />
            </Form.Item>
          )}
        </Form>
      </Modal>
    </Card>
  );
}
