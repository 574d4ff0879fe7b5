import { useCallback, useEffect, useRef, useState } from 'react';
import { Alert, App, Button, Card, Col, Form, Input, Modal, Row, Space, Statistic, Table, Typography, type ButtonProps } from 'antd';
import { DownloadOutlined, PictureOutlined, ReloadOutlined, StopOutlined, UndoOutlined } from '@ant-design/icons';
import { unpublishCampaignSchema, type AdminCampaign, type CampaignResults } from '@ssp/shared';
import { apiProblems, schemaProblems, showFieldErrors } from '../forms';
import { saveBlob, saveCsv, safeFileName } from '../download';
import { api, errorText } from '../session';
import { BarChart } from './BarChart';

/** The per-day figures as chart series (received, filed, closed). */
export function campaignDaySeries(results: CampaignResults) {
  return {
    labels: results.perDay.map((d) => d.date.slice(5)),
    series: [
      { name: '收到上报', color: '#1677ff', values: results.perDay.map((d) => d.received) },
      { name: '立案', color: '#faad14', values: results.perDay.map((d) => d.filed) },
      { name: '结案', color: '#52c41a', values: results.perDay.map((d) => d.closed) },
    ],
  };
}

/**
 * 活动成效 of a published (or once published) campaign: the figures, reports per day as a bar
 * chart and a table, the CSV download (Excel-ready), the poster, and for a scheduled or live
 * campaign 撤下 (back to draft, with a reason) and 提前结束, each confirmed first.
 */
export function CampaignResultsPanel({ campaign, onChanged }: { campaign: AdminCampaign; onChanged: (c: AdminCampaign) => void }) {
  const { message, modal } = App.useApp();
  const [results, setResults] = useState<CampaignResults | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [unpublishing, setUnpublishing] = useState(false);
  const [busy, setBusy] = useState(false);
  const [form] = Form.useForm<{ reason?: string }>();
  const card = useRef<HTMLDivElement | null>(null);

  const load = useCallback(async () => {
    try {
      setResults(await api.call('campaignResults', { params: { id: campaign.id } }));
      setError(null);
    } catch (e) {
      setError(errorText(e));
    }
  }, [campaign.id]);
  useEffect(() => {
    void load();
  }, [load, campaign.version]);
  // Opened from the list's 成效 link (#results): the panel comes into view once it has its figures.
  const shown = results !== null;
  useEffect(() => {
    if (shown && window.location.hash === '#results') card.current?.scrollIntoView({ block: 'start' });
  }, [shown]);

  const running = campaign.published && (campaign.status === 'scheduled' || campaign.status === 'live');
  const base = safeFileName(campaign.title);

  const downloadCsv = async () => {
    try {
      const text = String(await api.call('campaignResultsCsv', { params: { id: campaign.id } }));
      saveCsv(text, `活动成效-${base}.csv`);
    } catch (e) {
      void message.error(errorText(e));
    }
  };

  const downloadPoster = async () => {
    try {
      const png = (await api.call('campaignPoster', { params: { id: campaign.id } })) as unknown as Uint8Array;
      saveBlob(new Blob([png as BlobPart], { type: 'image/png' }), `活动海报-${base}.png`);
    } catch (e) {
      void message.error(errorText(e));
    }
  };

  const unpublish = async () => {
    const parsed = unpublishCampaignSchema.safeParse({ version: campaign.version, reason: form.getFieldValue('reason') ?? '' });
    if (!parsed.success) {
      showFieldErrors(form, schemaProblems(parsed.error), ['reason']);
      return;
    }
    setBusy(true);
    try {
      onChanged(await api.call('unpublishCampaign', { params: { id: campaign.id }, body: parsed.data }));
      setUnpublishing(false);
      void message.success('活动已撤下，回到草稿');
    } catch (e) {
      if (!showFieldErrors(form, apiProblems(e), ['reason'])) void message.error(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  const end = () =>
    modal.confirm({
      title: '提前结束活动？',
      content: '结束后市民不能再参加，积分倍数随即停止；已有的成效保留。此操作不能撤销。',
      okText: '结束活动',
      okButtonProps: { danger: true, 'data-testid': 'campaign-end-confirm' } as ButtonProps,
      cancelText: '取消',
      onOk: async () => {
        try {
          onChanged(await api.call('endCampaign', { params: { id: campaign.id }, body: { version: campaign.version } }));
          void message.success('活动已结束');
        } catch (e) {
          void message.error(errorText(e));
        }
      },
    });

  const chart = results && campaignDaySeries(results);
  return (
    <Card
      ref={card}
      id="results"
      size="small"
      title="活动成效"
      style={{ marginTop: 24 }}
      data-testid="campaign-results"
      extra={
        <Space wrap>
          <Button size="small" icon={<ReloadOutlined />} onClick={() => void load()}>
            刷新
          </Button>
          <Button size="small" icon={<DownloadOutlined />} onClick={() => void downloadCsv()} data-testid="campaign-results-csv">
            导出 CSV
          </Button>
          <Button size="small" icon={<PictureOutlined />} onClick={() => void downloadPoster()} data-testid="campaign-poster">
            下载海报
          </Button>
          {running && (
            <>
              <Button
                size="small"
                icon={<UndoOutlined />}
                onClick={() => {
                  form.resetFields();
                  setUnpublishing(true);
                }}
                data-testid="campaign-unpublish"
              >
                撤下活动
              </Button>
              <Button size="small" danger icon={<StopOutlined />} onClick={end} data-testid="campaign-end">
                提前结束
              </Button>
            </>
          )}
        </Space>
      }
    >
      {error && <Alert type="error" showIcon message={error} style={{ marginBottom: 12 }} />}
      {results && (
        <>
          <Row gutter={16}>
            {(
              [
                ['participants', '参与人数', results.participants],
                ['newCitizens', '新用户', results.newCitizens],
                ['reportsReceived', '收到上报', results.reportsReceived],
                ['filed', '立案', results.filed],
                ['closed', '结案', results.closed],
                ['onTimeRate', '按期结案率', results.onTimeRate === null ? '—' : `${(results.onTimeRate * 100).toFixed(2)}%`],
                ['pointsAwarded', '发放积分', results.pointsAwarded],
              ] as const
            ).map(([key, title, value]) => (
              <Col flex="1" key={key}>
                <Statistic title={title} value={value} />
                <span data-testid={`campaign-result-${key}`} hidden>
                  {value}
                </span>
              </Col>
            ))}
          </Row>
          {campaign.participationGoal !== null && (
            <Typography.Text type="secondary">
              参与目标 {campaign.participationGoal} 人，已完成 {Math.round((results.participants / campaign.participationGoal) * 100)}%
            </Typography.Text>
          )}
          {chart && chart.labels.length > 0 && (
            <div style={{ marginTop: 12 }}>
              <Typography.Text strong>每日上报、立案、结案</Typography.Text>
              <BarChart labels={chart.labels} series={chart.series} testId="campaign-results-chart" title="活动每日上报、立案、结案柱状图" />
            </div>
          )}
          <Table
            style={{ marginTop: 12 }}
            size="small"
            rowKey="date"
            pagination={results.perDay.length > 31 ? { pageSize: 31 } : false}
            dataSource={results.perDay}
            data-testid="campaign-results-days"
            columns={[
              { title: '日期', dataIndex: 'date' },
              { title: '收到上报', dataIndex: 'received' },
              { title: '立案', dataIndex: 'filed' },
              { title: '结案', dataIndex: 'closed' },
            ]}
            summary={() => (
              <Table.Summary.Row>
                <Table.Summary.Cell index={0}>合计</Table.Summary.Cell>
                <Table.Summary.Cell index={1}>{results.reportsReceived}</Table.Summary.Cell>
                <Table.Summary.Cell index={2}>{results.filed}</Table.Summary.Cell>
                <Table.Summary.Cell index={3}>{results.closed}</Table.Summary.Cell>
              </Table.Summary.Row>
            )}
          />
        </>
      )}
      <Modal
        open={unpublishing}
        title="撤下活动"
        okText="撤下"
        cancelText="取消"
        okButtonProps={{ danger: true, loading: busy, 'data-testid': 'campaign-unpublish-confirm' } as ButtonProps}
        onOk={() => void unpublish()}
        onCancel={() => setUnpublishing(false)}
      >
        <Typography.Paragraph type="secondary">撤下后活动回到草稿，市民不再看到；原因记入修改记录。</Typography.Paragraph>
        <Form form={form} layout="vertical">
          <Form.Item name="reason" label="撤下原因" required>
            <Input.TextArea rows={2} maxLength={200} showCount data-testid="campaign-unpublish-reason" />
          </Form.Item>
        </Form>
      </Modal>
    </Card>
  );
}
