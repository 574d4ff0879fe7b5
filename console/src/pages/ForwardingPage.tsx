import { useCallback, useEffect, useState } from 'react';
import { Alert, App, Button, Card, Col, Row, Space, Statistic, Table, Tag, Typography } from 'antd';
import { RedoOutlined } from '@ant-design/icons';
import type { ForwardingAdminView, ForwardingDelivery } from '@ssp/shared';
import { formatTime } from '../format';
import { api, errorText } from '../session';

const STATUS_NAMES: Record<ForwardingDelivery['status'], string> = { pending: '待投递', sent: '已送达', dropped: '被拒收', failed: '投递失败' };
const STATUS_COLORS: Record<ForwardingDelivery['status'], string> = { pending: 'blue', sent: 'green', dropped: 'orange', failed: 'red' };

/** 转办投递: the external platforms cases are forwarded to, and the outbox deliveries that need attention. */
export function ForwardingPage() {
  const { message } = App.useApp();
  const [view, setView] = useState<ForwardingAdminView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const load = useCallback(() => {
    api
      .call('forwardingStatus')
      .then(setView)
      .catch((e: unknown) => setError(errorText(e)));
  }, []);
  useEffect(load, [load]);

  const retry = async () => {
    setBusy(true);
    try {
      const { requeued } = await api.call('retryFailedForwarding', { body: {} });
      void message.success(requeued ? `已重新排队 ${requeued} 条转办` : '没有需要重投的转办');
      load();
    } catch (e) {
      void message.error(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Card>
      <Space style={{ width: '100%', justifyContent: 'space-between' }}>
        <Typography.Title level={4} style={{ margin: 0 }}>
          转办投递
        </Typography.Title>
        <Button icon={<RedoOutlined />} onClick={() => void retry()} loading={busy} data-testid="forwarding-retry">
          重投失败和被拒收的转办
        </Button>
      </Space>
      {error && <Alert type="error" showIcon message={error} style={{ marginTop: 16 }} />}
      {view && (
        <>
          <Typography.Paragraph type="secondary" style={{ marginTop: 8 }} data-testid="forwarding-enabled">
            {view.enabled ? '转办已启用：符合规则的案件自动或由工作人员转办到上级平台。' : '本部署未启用转办（forwarding.json）。'}
          </Typography.Paragraph>
          <Row gutter={16}>
            {(Object.keys(STATUS_NAMES) as ForwardingDelivery['status'][]).map((s) => (
              <Col span={6} key={s}>
                <Card size="small">
                  <Statistic title={STATUS_NAMES[s]} value={view.counts[s] ?? 0} />
                </Card>
              </Col>
            ))}
          </Row>
          <Typography.Title level={5} style={{ marginTop: 16 }}>
            转办平台
          </Typography.Title>
          <Table
            size="small"
            rowKey="id"
            pagination={false}
            dataSource={view.targets}
            locale={{ emptyText: '没有配置转办平台' }}
            columns={[
              { title: '平台', dataIndex: 'name' },
              { title: '地址', dataIndex: 'url' },
              { title: '超时', key: 'timeout', render: (_: unknown, t: ForwardingAdminView['targets'][number]) => `${t.timeoutMs / 1000} 秒` },
              {
                title: '签名密钥',
                key: 'secret',
                render: (_: unknown, t: ForwardingAdminView['targets'][number]) =>
                  t.secretConfigured ? <Tag color="green">已配置</Tag> : <Tag color="red">未配置 {t.secretEnv}</Tag>,
              },
            ]}
          />
          <Typography.Title level={5} style={{ marginTop: 16 }}>
            需要处理的投递
          </Typography.Title>
          <Table<ForwardingDelivery>
            size="small"
            rowKey="key"
            pagination={{ pageSize: 20, hideOnSinglePage: true }}
            dataSource={view.problems}
            locale={{ emptyText: '没有失败或被拒收的投递' }}
            columns={[
              { title: '案件', dataIndex: 'caseId' },
              { title: '平台', dataIndex: 'targetId' },
              {
                title: '状态',
                key: 'status',
                render: (_: unknown, d: ForwardingDelivery) => <Tag color={STATUS_COLORS[d.status]}>{STATUS_NAMES[d.status]}</Tag>,
              },
              { title: '尝试次数', dataIndex: 'attempts' },
              { title: '最近错误', key: 'err', render: (_: unknown, d: ForwardingDelivery) => d.lastError ?? '—' },
              { title: '下次尝试', key: 'next', render: (_: unknown, d: ForwardingDelivery) => formatTime(d.nextAttemptAt) },
            ]}
          />
        </>
      )}
    </Card>
  );
}
