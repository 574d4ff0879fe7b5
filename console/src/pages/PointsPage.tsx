import { useCallback, useEffect, useRef, useState } from 'react';
import {
  Alert,
  App,
  Button,
  Card,
  Col,
  Descriptions,
  Form,
  Input,
  InputNumber,
  Modal,
  Radio,
  Row,
  Space,
  Statistic,
  Table,
  Tag,
  Typography,
} from 'antd';
import { MinusOutlined, PlusOutlined } from '@ant-design/icons';
import {
  LEDGER_KIND_NAMES_ZH,
  pointsAdjustmentSchema,
  type CitizenPoints,
  type CitizenSummary,
  type LedgerKind,
  type StaffPointsLine,
} from '@ssp/shared';
import { formatTime } from '../format';
import { apiProblems, clearErrors, schemaProblems, showFieldErrors } from '../forms';
import { api, errorText } from '../session';

interface AdjustValues {
  direction?: 'add' | 'deduct';
  /** The size of the change; the direction gives the sign. */
  amount?: number | null;
  reason?: string;
}
const FIELDS = ['amount', 'reason'] as const;
const KIND_COLORS: Record<LedgerKind, string> = { earn: 'green', spend: 'blue', refund: 'cyan', clawback: 'red', adjustment: 'purple' };

/** A fresh id per intended adjustment: a retry after a lost answer adjusts once. */
const newRequestId = () => `adj-${crypto.randomUUID()}`;

/**
 * 积分调整 (administrators): find a citizen (id, phone tail or nickname; the number stays
 * masked), see the balance and the ledger with who adjusted what and why, and adjust with a
 * required reason after a confirmation. The API refuses a deduction below zero on the amount.
 */
export function PointsPage() {
  const { message, modal } = App.useApp();
  const [query, setQuery] = useState('');
  const [results, setResults] = useState<CitizenSummary[] | null>(null);
  const [resultsCursor, setResultsCursor] = useState<string | null>(null);
  const [searching, setSearching] = useState(false);
  const [searchError, setSearchError] = useState<string | null>(null);

  const [selected, setSelected] = useState<CitizenSummary | null>(null);
  const [points, setPoints] = useState<CitizenPoints | null>(null);
  const [lines, setLines] = useState<StaffPointsLine[]>([]);
  const [linesCursor, setLinesCursor] = useState<string | null>(null);
  const [loadingLines, setLoadingLines] = useState(false);
  const [detailError, setDetailError] = useState<string | null>(null);

  const [adjusting, setAdjusting] = useState(false);
  const [busy, setBusy] = useState(false);
  const [form] = Form.useForm<AdjustValues>();
  const requestId = useRef(newRequestId());

  const search = async (text: string, after?: string) => {
    const q = text.trim();
    if (!q) {
      setSearchError('请输入市民编号、手机尾号或昵称');
      return;
    }
    setSearching(true);
    try {
      const page = await api.call('searchCitizens', { query: { q, limit: 20, ...(after ? { cursor: after } : {}) } });
      setResults((prev) => (after && prev ? [...prev, ...page.items] : page.items));
      setResultsCursor(page.nextCursor);
      setSearchError(null);
    } catch (e) {
      setSearchError(errorText(e));
    } finally {
      setSearching(false);
    }
  };

  const loadDetail = useCallback(async (citizenId: string, after?: string) => {
    setLoadingLines(true);
    try {
      const [summary, history] = await Promise.all([
        after ? Promise.resolve(null) : api.call('getCitizenPoints', { params: { id: citizenId } }),
        api.call('citizenPointsHistory', { params: { id: citizenId }, query: { limit: 20, ...(after ? { cursor: after } : {}) } }),
      ]);
      if (summary) setPoints(summary);
      setLines((prev) => (after ? [...prev, ...history.items] : history.items));
      setLinesCursor(history.nextCursor);
      setDetailError(null);
    } catch (e) {
      setDetailError(errorText(e));
    } finally {
      setLoadingLines(false);
    }
  }, []);

  useEffect(() => {
    if (selected) void loadDetail(selected.id);
  }, [selected, loadDetail]);

  const openAdjust = () => {
    form.resetFields();
    form.setFieldsValue({ direction: 'add', amount: null, reason: '' });
    requestId.current = newRequestId();
    setAdjusting(true);
  };

  const submit = () => {
    if (!selected) return;
    const v = form.getFieldsValue();
    const sign = v.direction === 'deduct' ? -1 : 1;
    const parsed = pointsAdjustmentSchema.safeParse({
      citizenId: selected.id,
      amount: typeof v.amount === 'number' ? sign * v.amount : undefined,
      reason: v.reason ?? '',
      clientRequestId: requestId.current,
    });
    if (!parsed.success) {
      showFieldErrors(form, schemaProblems(parsed.error), FIELDS);
      return;
    }
    const body = parsed.data;
    modal.confirm({
      title: '确认调整积分',
      content: (
        <div data-testid="adjust-confirm-text">
          为「{selected.nickname}」{body.amount > 0 ? '增加' : '扣减'} <b>{Math.abs(body.amount)}</b> 积分
          <br />
          原因：{body.reason}
        </div>
      ),
      okText: '确认调整',
      cancelText: '返回修改',
      okButtonProps: { danger: body.amount < 0, 'data-testid': 'adjust-confirm' } as never,
      onOk: async () => {
        setBusy(true);
        try {
          const res = await api.call('adjustPoints', { body });
          void message.success(`已${body.amount > 0 ? '增加' : '扣减'} ${Math.abs(body.amount)} 积分，当前余额 ${res.balance}`);
          setAdjusting(false);
          await loadDetail(selected.id);
        } catch (e) {
          if (!showFieldErrors(form, apiProblems(e), FIELDS)) void message.error(errorText(e));
          // The answer says what happened: the next attempt is a new adjustment.
          requestId.current = newRequestId();
        } finally {
          setBusy(false);
        }
      },
    });
  };

  return (
    <Space direction="vertical" size={16} style={{ width: '100%' }}>
      <Card>
        <Typography.Title level={4} style={{ margin: 0 }}>
          积分调整
        </Typography.Title>
        <Typography.Paragraph type="secondary" style={{ marginTop: 8 }}>
          按市民编号、手机尾号（如 5678）或昵称查找市民，查看积分余额与明细；人工调整必须填写原因，调整记录保留操作人，市民可在积分明细中看到原因。
        </Typography.Paragraph>
        <Input.Search
          placeholder="市民编号、手机尾号或昵称"
          enterButton="查找"
          allowClear
          value={query}
          onChange={(e) => setQuery(e.target.value)}
          onSearch={(v) => void search(v)}
          loading={searching}
          maxLength={40}
          style={{ maxWidth: 480 }}
          data-testid="citizen-search"
        />
        {searchError && <Alert type="error" showIcon message={searchError} style={{ marginTop: 12 }} />}
        {results && (
          <Table<CitizenSummary>
            style={{ marginTop: 16 }}
            rowKey="id"
            size="small"
            dataSource={results}
            pagination={false}
            locale={{ emptyText: '没有找到市民' }}
            rowClassName={(c) => (c.id === selected?.id ? 'ant-table-row-selected' : '')}
            onRow={(c) => ({ 'data-testid': `citizen-row-${c.nickname}` }) as React.HTMLAttributes<HTMLElement>}
            columns={[
              { title: '昵称', dataIndex: 'nickname', key: 'nickname' },
              { title: '手机号', key: 'phone', render: (_: unknown, c: CitizenSummary) => c.phoneMasked ?? '未绑定' },
              { title: '市民编号', dataIndex: 'id', key: 'id', render: (id: string) => <Typography.Text code>{id}</Typography.Text> },
              { title: '注册时间', key: 'createdAt', render: (_: unknown, c: CitizenSummary) => formatTime(c.createdAt) },
              {
                title: '操作',
                key: 'act',
                render: (_: unknown, c: CitizenSummary) => (
                  <Button
                    size="small"
                    type={c.id === selected?.id ? 'primary' : 'default'}
                    onClick={() => setSelected(c)}
                    data-testid="citizen-select"
                  >
                    查看积分
                  </Button>
                ),
              },
            ]}
          />
        )}
        {resultsCursor && (
          <div style={{ textAlign: 'center', marginTop: 12 }}>
            <Button onClick={() => void search(query, resultsCursor)} loading={searching}>
              加载更多
            </Button>
          </div>
        )}
      </Card>

      {selected && (
        <Card data-testid="citizen-points">
          {detailError && <Alert type="error" showIcon message={detailError} style={{ marginBottom: 16 }} />}
          <Row gutter={24} align="middle" wrap={false}>
            <Col flex="auto">
              <Descriptions column={3} size="small" title={`市民：${selected.nickname}`}>
                <Descriptions.Item label="手机号">{selected.phoneMasked ?? '未绑定'}</Descriptions.Item>
                <Descriptions.Item label="市民编号">{selected.id}</Descriptions.Item>
                <Descriptions.Item label="上报奖励累计">{points?.earnedTotal ?? '—'}</Descriptions.Item>
              </Descriptions>
            </Col>
            <Col flex="none" style={{ minWidth: 120 }}>
              <div data-testid="points-balance">
                <Statistic title="当前积分" value={points?.balance ?? '—'} groupSeparator="" valueStyle={{ fontSize: 32 }} />
              </div>
            </Col>
            <Col flex="none">
              <Button type="primary" onClick={openAdjust} disabled={!points} data-testid="points-adjust">
                调整积分
              </Button>
            </Col>
          </Row>
          <Typography.Title level={5} style={{ marginTop: 16 }}>
            积分明细
          </Typography.Title>
          <Table<StaffPointsLine>
            rowKey="id"
            size="small"
            loading={loadingLines}
            dataSource={lines}
            pagination={false}
            locale={{ emptyText: '还没有积分记录' }}
            data-testid="points-ledger"
            onRow={(l) => ({ 'data-testid': `ledger-line-${l.id}` }) as React.HTMLAttributes<HTMLElement>}
            columns={[
              { title: '时间', key: 'at', width: 150, render: (_: unknown, l: StaffPointsLine) => formatTime(l.at) },
              {
                title: '类型',
                key: 'kind',
                width: 100,
                render: (_: unknown, l: StaffPointsLine) => <Tag color={KIND_COLORS[l.kind]}>{LEDGER_KIND_NAMES_ZH[l.kind]}</Tag>,
              },
              {
                title: '积分',
                key: 'amount',
                width: 80,
                render: (_: unknown, l: StaffPointsLine) => (
                  <Typography.Text type={l.amount < 0 ? 'danger' : 'success'}>{l.amount > 0 ? `+${l.amount}` : l.amount}</Typography.Text>
                ),
              },
              { title: '余额', dataIndex: 'balanceAfter', key: 'balanceAfter', width: 80 },
              { title: '说明', dataIndex: 'reasonText', key: 'reasonText' },
              { title: '调整原因', key: 'note', render: (_: unknown, l: StaffPointsLine) => (l.kind === 'adjustment' ? (l.note ?? '—') : '—') },
              { title: '操作人', key: 'operator', width: 140, render: (_: unknown, l: StaffPointsLine) => l.operator?.displayName ?? '系统' },
            ]}
          />
          {linesCursor && (
            <div style={{ textAlign: 'center', marginTop: 12 }}>
              <Button onClick={() => void loadDetail(selected.id, linesCursor)} loading={loadingLines}>
                加载更多
              </Button>
            </div>
          )}
        </Card>
      )}

      <Modal
        open={adjusting}
        title={selected ? `调整积分 · ${selected.nickname}（当前 ${points?.balance ?? '—'} 分）` : ''}
        okText="下一步"
        cancelText="取消"
        okButtonProps={{ loading: busy, 'data-testid': 'adjust-submit' } as never}
        onOk={submit}
        onCancel={() => setAdjusting(false)}
        forceRender
      >
        <Form
          form={form}
          layout="vertical"
          onValuesChange={(changed: AdjustValues) => clearErrors(form, 'direction' in changed ? { amount: 1 } : changed)}
        >
          <Form.Item name="direction" label="方向">
            <Radio.Group optionType="button" buttonStyle="solid" data-testid="adjust-direction">
              <Radio.Button value="add">
                <PlusOutlined /> 增加
              </Radio.Button>
              <Radio.Button value="deduct" data-testid="adjust-deduct">
                <MinusOutlined /> 扣减
              </Radio.Button>
            </Radio.Group>
          </Form.Item>
          {/* The schema's amount is signed; the form takes its size here and the sign from the direction. */}
          <Form.Item name="amount" label="积分" required>
            <InputNumber min={1} max={100000} precision={0} style={{ width: 200 }} placeholder="正整数" data-testid="adjust-points" />
          </Form.Item>
          <Form.Item name="reason" label="调整原因（市民可以看到）" required>
            <Input.TextArea rows={3} maxLength={200} showCount placeholder="如：线下活动补发积分" data-testid="adjust-reason" />
          </Form.Item>
        </Form>
      </Modal>
    </Space>
  );
}
