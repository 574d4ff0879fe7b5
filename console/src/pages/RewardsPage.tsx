import { useCallback, useEffect, useState } from 'react';
import { Alert, App, Button, Card, Col, DatePicker, Form, Input, InputNumber, Modal, Row, Select, Space, Table, Typography } from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import dayjs, { type Dayjs } from 'dayjs';
import { REWARD_KINDS, REWARD_KIND_NAMES_ZH, rewardIdSchema, rewardInputSchema, type OperationOutput, type RewardKind } from '@ssp/shared';
import { formatTime } from '../format';
import { apiProblems, clearErrors, schemaProblems, showFieldErrors } from '../forms';
import { api, errorText } from '../session';

type Reward = OperationOutput<'listRewardsAdmin'>['items'][number];
interface Values {
  id?: string;
  name?: string;
  kind?: RewardKind;
  description?: string;
  costPoints?: number;
  stock?: number;
  perCitizenLimit?: number | null;
  limitPeriod?: 'month' | 'all';
  window?: [Dayjs, Dayjs] | null;
}
const FIELDS = ['id', 'name', 'kind', 'description', 'costPoints', 'stock', 'perCitizenLimit', 'limitPeriod', 'window'];

/** 奖励与库存: the reward catalogue citizens spend points on, with the stock left and units held by pending claims. */
export function RewardsPage() {
  const { message } = App.useApp();
  const [items, setItems] = useState<Reward[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [editing, setEditing] = useState<Reward | 'new' | null>(null);
  const [busy, setBusy] = useState(false);
  const [form] = Form.useForm<Values>();

  const load = useCallback(() => {
    api
      .call('listRewardsAdmin')
      .then((r) => setItems(r.items))
      .catch((e: unknown) => setError(errorText(e)));
  }, []);
  useEffect(load, [load]);

  const open = (r: Reward | 'new') => {
    form.resetFields();
    if (r === 'new')
      form.setFieldsValue({
        kind: 'gift',
        limitPeriod: 'month',
        perCitizenLimit: 1,
        stock: 0,
        window: [dayjs().startOf('day'), dayjs().add(1, 'year').endOf('day')],
      });
    else
      form.setFieldsValue({
        name: r.name,
        kind: r.kind,
        description: r.description,
        costPoints: r.costPoints,
        stock: r.stockLeft,
        perCitizenLimit: r.perCitizenLimit,
        limitPeriod: r.limitPeriod,
        window: [dayjs(r.activeFrom), dayjs(r.activeTo)],
      });
    setEditing(r);
  };

  const save = async () => {
    if (!editing) return;
    const v = form.getFieldsValue();
    const id = editing === 'new' ? (v.id ?? '') : editing.id;
    const input = {
      name: v.name ?? '',
      kind: v.kind,
      description: v.description ?? '',
      costPoints: v.costPoints,
      stock: v.stock,
      perCitizenLimit: v.perCitizenLimit ?? null,
      limitPeriod: v.limitPeriod,
      activeFrom: v.window?.[0]?.format() ?? '',
      activeTo: v.window?.[1]?.format() ?? '',
      imageUrl: editing === 'new' ? null : editing.imageUrl,
    };
    const toWindow = (p: { field: string; message: string }) => (p.field === 'activeFrom' || p.field === 'activeTo' ? { ...p, field: 'window' } : p);
    const problems = [
      ...(rewardIdSchema.safeParse(id).success ? [] : [{ field: 'id', message: '奖品编号为 1–48 位小写字母、数字、_ 或 -' }]),
      ...(() => {
        const parsed = rewardInputSchema.safeParse(input);
        return parsed.success ? [] : schemaProblems(parsed.error).map(toWindow);
      })(),
    ];
    if (problems.length) {
      showFieldErrors(form, problems, FIELDS);
      return;
    }
    setBusy(true);
    try {
      await api.call('upsertReward', { params: { id }, body: rewardInputSchema.parse(input) });
      void message.success('奖励已保存');
      setEditing(null);
      load();
    } catch (e) {
      if (!showFieldErrors(form, apiProblems(e).map(toWindow), FIELDS)) void message.error(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Card>
      <Space style={{ width: '100%', justifyContent: 'space-between' }}>
        <Typography.Title level={4} style={{ margin: 0 }}>
          奖励与库存
        </Typography.Title>
        <Button type="primary" icon={<PlusOutlined />} onClick={() => open('new')}>
          新建奖励
        </Button>
      </Space>
      {error && <Alert type="error" showIcon message={error} style={{ marginTop: 16 }} />}
      <Table<Reward>
        style={{ marginTop: 16 }}
        rowKey="id"
        loading={!items && !error}
        dataSource={items ?? []}
        pagination={false}
        onRow={(r) => ({ 'data-testid': `reward-row-${r.id}` }) as React.HTMLAttributes<HTMLElement>}
        columns={[
          { title: '奖励', dataIndex: 'name' },
          { title: '类型', key: 'kind', render: (_: unknown, r: Reward) => REWARD_KIND_NAMES_ZH[r.kind] },
          { title: '所需积分', dataIndex: 'costPoints' },
          { title: '剩余库存', dataIndex: 'stockLeft' },
          { title: '待发放占用', dataIndex: 'unitsHeld' },
          {
            title: '每人限兑',
            key: 'limit',
            render: (_: unknown, r: Reward) => (r.perCitizenLimit ? `${r.perCitizenLimit} 件/${r.limitPeriod === 'month' ? '月' : '总计'}` : '不限'),
          },
          { title: '兑换时间', key: 'window', render: (_: unknown, r: Reward) => `${formatTime(r.activeFrom)} 至 ${formatTime(r.activeTo)}` },
          {
            title: '操作',
            key: 'edit',
            render: (_: unknown, r: Reward) => (
              <Button size="small" onClick={() => open(r)} data-testid={`reward-edit-${r.id}`}>
                编辑
              </Button>
            ),
          },
        ]}
      />
      <Modal
        open={!!editing}
        title={editing === 'new' ? '新建奖励' : `编辑奖励 ${editing ? editing.name : ''}`}
        okText="保存"
        cancelText="取消"
        width={640}
        onOk={() => void save()}
        okButtonProps={{ loading: busy, 'data-testid': 'reward-save' } as never}
        onCancel={() => setEditing(null)}
        forceRender
      >
        <Form form={form} layout="vertical" onValuesChange={(changed: object) => clearErrors(form, changed)}>
          {editing === 'new' && (
            <Form.Item name="id" label="奖品编号" required extra="小写字母、数字、_ 或 -，保存后不能修改">
              <Input />
            </Form.Item>
          )}
          <Row gutter={16}>
            <Col span={16}>
              <Form.Item name="name" label="名称" required>
                <Input maxLength={40} />
              </Form.Item>
            </Col>
            <Col span={8}>
              <Form.Item name="kind" label="类型" required>
                <Select options={REWARD_KINDS.map((k) => ({ value: k, label: REWARD_KIND_NAMES_ZH[k] }))} />
              </Form.Item>
            </Col>
          </Row>
          <Form.Item name="description" label="说明">
            <Input.TextArea rows={2} maxLength={300} />
          </Form.Item>
          <Row gutter={16}>
            <Col span={8}>
              <Form.Item name="costPoints" label="所需积分" required>
                <InputNumber min={1} style={{ width: '100%' }} />
              </Form.Item>
            </Col>
            <Col span={8}>
              <Form.Item name="stock" label="剩余库存" required>
                <InputNumber min={0} style={{ width: '100%' }} data-testid="reward-stock" />
              </Form.Item>
            </Col>
            <Col span={8}>
              <Form.Item name="perCitizenLimit" label="每人限兑（空为不限）">
                <InputNumber min={1} style={{ width: '100%' }} />
              </Form.Item>
            </Col>
          </Row>
          <Row gutter={16}>
            <Col span={8}>
              <Form.Item name="limitPeriod" label="限兑周期" required>
                <Select
                  options={[
                    { value: 'month', label: '每月' },
                    { value: 'all', label: '总计' },
                  ]}
                />
              </Form.Item>
            </Col>
            <Col span={16}>
              <Form.Item name="window" label="兑换时间" required>
                <DatePicker.RangePicker showTime={{ format: 'HH:mm' }} format="YYYY-MM-DD HH:mm" style={{ width: '100%' }} />
              </Form.Item>
            </Col>
          </Row>
        </Form>
      </Modal>
    </Card>
  );
}
