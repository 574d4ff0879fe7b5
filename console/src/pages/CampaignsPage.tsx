import { useEffect, useState } from 'react';
import { Alert, Button, Card, Space, Table, Tag, Typography } from 'antd';
import { BarChartOutlined, PlusOutlined } from '@ant-design/icons';
import { useNavigate } from 'react-router-dom';
import { CAMPAIGN_STATUS_NAMES_ZH, type CampaignStatus, type OperationOutput } from '@ssp/shared';
import { formatTime } from '../format';
import { api, errorText } from '../session';

type Row = OperationOutput<'listCampaignsAdmin'>['items'][number];
export const CAMPAIGN_STATUS_COLORS: Record<CampaignStatus, string> = { draft: 'default', scheduled: 'blue', live: 'green', ended: 'purple' };

/** 宣传活动: the campaigns, drafts included; a click opens the editor. */
export function CampaignsPage() {
  const navigate = useNavigate();
  const [items, setItems] = useState<Row[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api
      .call('listCampaignsAdmin')
      .then((r) => setItems(r.items))
      .catch((e: unknown) => setError(errorText(e)));
  }, []);

  return (
    <Card>
      <Space style={{ width: '100%', justifyContent: 'space-between' }}>
        <Typography.Title level={4} style={{ margin: 0 }}>
          宣传活动
        </Typography.Title>
        <Button type="primary" icon={<PlusOutlined />} onClick={() => navigate('/campaigns/new')} data-testid="campaign-new">
          新建活动
        </Button>
      </Space>
      {error && <Alert type="error" showIcon message={error} style={{ margin: '16px 0' }} />}
      <Table<Row>
        style={{ marginTop: 16 }}
        rowKey="id"
        loading={!items && !error}
        dataSource={items ?? []}
        pagination={{ pageSize: 20, hideOnSinglePage: true }}
        onRow={(c) =>
          ({
            onClick: () => navigate(`/campaigns/${c.id}`),
            style: { cursor: 'pointer' },
            'data-testid': `campaign-row-${c.title}`,
          }) as React.HTMLAttributes<HTMLElement>
        }
        locale={{ emptyText: '还没有活动' }}
        columns={[
          { title: '标题', dataIndex: 'title' },
          {
            title: '状态',
            key: 'status',
            render: (_: unknown, c: Row) => <Tag color={CAMPAIGN_STATUS_COLORS[c.status]}>{CAMPAIGN_STATUS_NAMES_ZH[c.status]}</Tag>,
          },
          { title: '活动时间', key: 'window', render: (_: unknown, c: Row) => `${formatTime(c.startAt)} 至 ${formatTime(c.endedAt ?? c.endAt)}` },
          { title: '积分倍数', key: 'multiplier', render: (_: unknown, c: Row) => `×${c.multiplier}` },
          { title: '最近修改', key: 'updatedAt', render: (_: unknown, c: Row) => formatTime(c.updatedAt) },
          {
            title: '成效',
            key: 'results',
            render: (_: unknown, c: Row) =>
              c.status === 'draft' ? null : (
                <Button
                  size="small"
                  icon={<BarChartOutlined />}
                  data-testid="campaign-results-link"
                  onClick={(e) => {
                    e.stopPropagation();
                    navigate(`/campaigns/${c.id}#results`);
                  }}
                >
                  查看成效
                </Button>
              ),
          },
        ]}
      />
    </Card>
  );
}
