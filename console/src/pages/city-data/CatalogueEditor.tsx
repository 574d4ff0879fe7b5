import { useCallback, useEffect, useMemo, useState } from 'react';
import { App, Button, Col, Form, Input, InputNumber, Modal, Popconfirm, Row, Select, Space, Switch, Table, Tag } from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import {
  CATEGORY_FAMILIES,
  CATEGORY_FAMILY_NAMES_ZH,
  TIME_LIMIT_UNITS,
  TIME_LIMIT_UNIT_NAMES_ZH,
  categoriesFileSchema,
  categoryIdOf,
  categorySchema,
  type Category,
  type CategoryFamily,
  type Department,
  type TimeLimitUnit,
  safeParseCityData,
} from '@ssp/shared';
import {
  apiCityProblems,
  cellMessages,
  formFieldErrors,
  placeRow,
  problemsOf,
  problemsWithoutRow,
  schemaCityProblems,
  splitRowProblems,
  type PathSegment,
  type RowProblem,
} from '../../city-data';
import { api } from '../../session';
import {
  Cell,
  EditorBar,
  ProblemSummary,
  failedSave,
  foreignSummary,
  ownProblems,
  savedOutcome,
  setFieldErrors,
  type SaveOutcome,
  type SummaryItem,
} from './common';

interface Values {
  family?: CategoryFamily;
  code?: string;
  majorCode?: string;
  majorName?: string;
  name?: string;
  timeLimit?: { value?: number | null; unit?: TimeLimitUnit };
  defaultDepartmentId?: string;
  publicReportable?: boolean;
  basePoints?: number | null;
  keywords?: string[];
  popularity?: number | null;
}

/** The form's fields as paths; a category's `id` is derived from family and code, so its problems show on 类别代码. */
const FIELDS: PathSegment[][] = [
  ['family'],
  ['code'],
  ['majorCode'],
  ['majorName'],
  ['name'],
  ['timeLimit', 'value'],
  ['timeLimit', 'unit'],
  ['defaultDepartmentId'],
  ['publicReportable'],
  ['basePoints'],
  ['keywords'],
  ['popularity'],
];
const onForm = (path: PathSegment[]): PathSegment[] =>
  path[0] === 'id' ? ['code', ...path.slice(1)] : path[0] === 'timeLimit' && path.length === 1 ? ['timeLimit', 'value'] : path;

const COLUMN_NAMES: Record<string, string> = {
  id: '类别编号',
  code: '类别代码',
  family: '类型',
  majorCode: '大类代码',
  majorName: '大类名称',
  name: '名称',
  timeLimit: '处置时限',
  defaultDepartmentId: '默认处置部门',
  publicReportable: '市民可报',
  basePoints: '基础积分',
  keywords: '搜索词',
  popularity: '常用度',
  '': '整行',
};

function categoryOf(v: Values): unknown {
  const family = v.family ?? 'event';
  const code = (v.code ?? '').trim();
  return {
    id: categoryIdOf(family, code),
    code,
    family,
    majorCode: (v.majorCode ?? '').trim(),
    majorName: v.majorName ?? '',
    name: v.name ?? '',
    timeLimit: { value: v.timeLimit?.value ?? undefined, unit: v.timeLimit?.unit },
    defaultDepartmentId: v.defaultDepartmentId ?? '',
    publicReportable: v.publicReportable ?? true,
    basePoints: v.basePoints ?? undefined,
    ...(v.keywords?.length ? { keywords: v.keywords } : {}),
    ...(v.popularity !== null && v.popularity !== undefined ? { popularity: v.popularity } : {}),
  };
}

/** 类别目录: categories with their time limits, default departments and points (PUT /admin/catalogue replaces the whole list). */
export function CatalogueEditor() {
  const { message } = App.useApp();
  const [rows, setRows] = useState<Category[] | null>(null);
  const [departments, setDepartments] = useState<Department[]>([]);
  const [version, setVersion] = useState<number | null>(null);
  const [dirty, setDirty] = useState(false);
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<SaveOutcome>({});
  const [problems, setProblems] = useState<RowProblem[]>([]);
  const [general, setGeneral] = useState<string[]>([]);
  const [foreign, setForeign] = useState<SummaryItem[]>([]);
  const [editing, setEditing] = useState<number | 'new' | null>(null);
  const [filter, setFilter] = useState<{ family?: CategoryFamily; q: string }>({ q: '' });
  const [form] = Form.useForm<Values>();

  const load = useCallback(async () => {
    try {
      const [catalogue, depts] = await Promise.all([api.call('getCatalogueData'), api.call('getDepartmentsData')]);
      setRows(catalogue.categories);
      setVersion(catalogue.version);
      setDepartments(depts.departments);
      setDirty(false);
      setProblems([]);
      setGeneral([]);
      setForeign([]);
      setOutcome({});
    } catch (e) {
      setOutcome(failedSave(e));
    }
  }, []);
  useEffect(() => {
    void load();
  }, [load]);

  const departmentName = useMemo(() => new Map(departments.map((d) => [d.id, d.name])), [departments]);

  const showOnForm = (rowProblems: { path: PathSegment[]; message: string }[]) => {
    const { fields, unplaced } = formFieldErrors(
      rowProblems.map((p) => ({ ...p, path: onForm(p.path) })),
      FIELDS,
    );
    setFieldErrors(form, fields);
    if (unplaced.length) void message.error(unplaced.join('；'));
  };

  const open = (index: number | 'new') => {
    form.resetFields();
    const c = index === 'new' ? null : rows![index]!;
    if (!c) form.setFieldsValue({ family: 'event', publicReportable: true, basePoints: 10, timeLimit: { unit: 'work_hours' } });
    else
      form.setFieldsValue({
        family: c.family,
        code: c.code,
        majorCode: c.majorCode,
        majorName: c.majorName,
        name: c.name,
        timeLimit: { value: c.timeLimit.value, unit: c.timeLimit.unit },
        defaultDepartmentId: c.defaultDepartmentId,
        publicReportable: c.publicReportable,
        basePoints: c.basePoints,
        keywords: c.keywords ?? [],
        popularity: c.popularity ?? null,
      });
    setEditing(index);
    // The row's problems (from the last save) on their fields.
    if (index !== 'new') setTimeout(() => showOnForm(problems.filter((p) => p.row === index)), 0);
  };

  /** Puts the form's category into the list when the shared schema accepts it there (the row alone and among the others). */
  const apply = () => {
    if (!rows || editing === null) return;
    const candidate = categoryOf(form.getFieldsValue());
    const one = safeParseCityData(categorySchema, candidate);
    if (!one.success) {
      showOnForm(schemaCityProblems(one.error));
      return;
    }
    const placed = placeRow(rows, editing, one.data, (next) => problemsOf(safeParseCityData(categoriesFileSchema, next)));
    if (!placed.ok) {
      showOnForm(placed.problems);
      return;
    }
    setRows(placed.rows);
    setDirty(true);
    setProblems((ps) => ps.filter((p) => p.row !== placed.index));
    setEditing(null);
  };

  const remove = (index: number) => {
    if (!rows) return;
    setRows(rows.filter((_, i) => i !== index));
    setProblems((ps) => problemsWithoutRow(ps, index));
    setDirty(true);
  };

  const place = (list: { path: PathSegment[]; message: string }[]) => {
    setForeign([]);
    const split = splitRowProblems(list);
    setProblems(split.rows);
    setGeneral(split.general);
  };

  const save = async () => {
    if (!rows) return;
    const parsed = safeParseCityData(categoriesFileSchema, rows);
    if (!parsed.success) {
      place(schemaCityProblems(parsed.error));
      setOutcome({});
      return;
    }
    setBusy(true);
    try {
      const result = await api.call('replaceCatalogueData', {
        query: { baseVersion: version === null ? undefined : String(version) },
        body: parsed.data,
      });
      setVersion(result.version);
      place([]);
      setDirty(false);
      setOutcome(savedOutcome(result.version));
      void message.success(`类别目录已保存（${result.count} 个类别）`);
    } catch (e) {
      place(ownProblems(apiCityProblems(e, 'categories')));
      setForeign(foreignSummary(e, 'categories', { departments }));
      setOutcome(failedSave(e));
    } finally {
      setBusy(false);
    }
  };

  const summary: SummaryItem[] = [
    ...general.map((m) => ({ where: '类别目录', message: m })),
    ...foreign,
    ...problems.map((p) => ({
      where: `第 ${p.row + 1} 行${rows?.[p.row] ? `（${rows[p.row]!.id} ${rows[p.row]!.name}）` : ''} ${COLUMN_NAMES[p.column] ?? p.column}`,
      message: p.message,
      onOpen: rows?.[p.row] ? () => open(p.row) : undefined,
    })),
  ];

  const shown = (rows ?? [])
    .map((c, index) => ({ ...c, index }))
    .filter((c) => (!filter.family || c.family === filter.family) && (!filter.q || `${c.id}${c.name}${c.majorName}`.includes(filter.q.trim())));
  const cell = (index: number, columns: string[], content: React.ReactNode) => (
    <Cell messages={columns.flatMap((col) => cellMessages(problems, index, col))} testId={`category-cell-${index}-${columns[0]}`}>
      {content}
    </Cell>
  );
  type Shown = (typeof shown)[number];

  return (
    <>
      <EditorBar
        title="类别目录"
        testId="catalogue"
        count={rows ? `共 ${rows.length} 个类别` : ''}
        version={version}
        dirty={dirty}
        busy={busy}
        outcome={outcome}
        onSave={() => void save()}
        onReload={() => void load()}
        extra={
          <Button icon={<PlusOutlined />} onClick={() => open('new')} data-testid="category-add">
            新增类别
          </Button>
        }
      />
      <ProblemSummary items={summary} refused={outcome.refused} testId="catalogue" />
      <Space style={{ marginTop: 12 }}>
        <Select
          allowClear
          placeholder="全部类型"
          style={{ width: 120 }}
          value={filter.family}
          onChange={(family?: CategoryFamily) => setFilter((f) => ({ ...f, family }))}
          options={CATEGORY_FAMILIES.map((f) => ({ value: f, label: CATEGORY_FAMILY_NAMES_ZH[f] }))}
        />
        <Input.Search allowClear placeholder="编号或名称" style={{ width: 220 }} onSearch={(q) => setFilter((f) => ({ ...f, q }))} />
      </Space>
      <Table<Shown>
        style={{ marginTop: 12 }}
        size="small"
        rowKey="index"
        loading={!rows && !outcome.error}
        dataSource={shown}
        pagination={false}
        scroll={{ y: 560 }}
        onRow={(c) => ({ 'data-testid': `category-row-${c.id}` }) as React.HTMLAttributes<HTMLElement>}
        columns={[
          { title: '类别编号', key: 'id', width: 110, render: (_: unknown, c: Shown) => cell(c.index, ['id', ''], c.id) },
          {
            title: '类型',
            key: 'family',
            width: 70,
            render: (_: unknown, c: Shown) => cell(c.index, ['family'], CATEGORY_FAMILY_NAMES_ZH[c.family]),
          },
          {
            title: '大类',
            key: 'major',
            width: 130,
            render: (_: unknown, c: Shown) => cell(c.index, ['majorCode', 'majorName', 'code'], `${c.majorCode} ${c.majorName}`),
          },
          { title: '名称', key: 'name', render: (_: unknown, c: Shown) => cell(c.index, ['name'], c.name) },
          {
            title: '处置时限',
            key: 'timeLimit',
            width: 140,
            render: (_: unknown, c: Shown) =>
              cell(
                c.index,
                ['timeLimit'],
                <span data-testid="category-time-limit">{`${c.timeLimit.value} ${TIME_LIMIT_UNIT_NAMES_ZH[c.timeLimit.unit]}`}</span>,
              ),
          },
          {
            title: '默认处置部门',
            key: 'defaultDepartmentId',
            render: (_: unknown, c: Shown) =>
              cell(c.index, ['defaultDepartmentId'], departmentName.get(c.defaultDepartmentId) ?? c.defaultDepartmentId),
          },
          {
            title: '市民可报',
            key: 'publicReportable',
            width: 90,
            render: (_: unknown, c: Shown) =>
              cell(c.index, ['publicReportable'], c.publicReportable ? <Tag color="green">可报</Tag> : <Tag>仅内部</Tag>),
          },
          {
            title: '基础积分',
            key: 'basePoints',
            width: 90,
            render: (_: unknown, c: Shown) => cell(c.index, ['basePoints', 'keywords', 'popularity'], c.basePoints),
          },
          {
            title: '操作',
            key: 'actions',
            width: 130,
            render: (_: unknown, c: Shown) => (
              <Space size="small">
                <Button size="small" onClick={() => open(c.index)} data-testid={`category-edit-${c.id}`}>
                  编辑
                </Button>
                <Popconfirm title={`删除类别 ${c.name}？`} okText="删除" cancelText="取消" onConfirm={() => remove(c.index)}>
                  <Button size="small" danger data-testid={`category-remove-${c.id}`}>
                    删除
                  </Button>
                </Popconfirm>
              </Space>
            ),
          },
        ]}
      />
      <Modal
        open={editing !== null}
        title={
          editing === 'new' ? '新增类别' : `编辑类别 ${editing !== null && rows?.[editing] ? `${rows[editing]!.id} ${rows[editing]!.name}` : ''}`
        }
        okText="确定"
        cancelText="取消"
        width={720}
        onOk={apply}
        okButtonProps={{ 'data-testid': 'category-apply' } as never}
        onCancel={() => setEditing(null)}
        forceRender
      >
        <Form
          form={form}
          layout="vertical"
          onValuesChange={(changed: object) =>
            setFieldErrors(
              form,
              FIELDS.filter((f) => String(f[0]) in changed).map((name) => ({ name, errors: [] })),
            )
          }
        >
          <Row gutter={16}>
            <Col span={6}>
              <Form.Item name="family" label="类型" required>
                <Select options={CATEGORY_FAMILIES.map((f) => ({ value: f, label: CATEGORY_FAMILY_NAMES_ZH[f] }))} />
              </Form.Item>
            </Col>
            <Col span={6}>
              <Form.Item name="code" label="类别代码" required extra="大类 2 位 + 小类 2–3 位">
                <Input data-testid="category-code" />
              </Form.Item>
            </Col>
            <Col span={12}>
              <Form.Item name="name" label="名称" required>
                <Input maxLength={60} data-testid="category-name" />
              </Form.Item>
            </Col>
          </Row>
          <Row gutter={16}>
            <Col span={6}>
              <Form.Item name="majorCode" label="大类代码" required>
                <Input data-testid="category-major-code" />
              </Form.Item>
            </Col>
            <Col span={18}>
              <Form.Item name="majorName" label="大类名称" required>
                <Input maxLength={60} data-testid="category-major-name" />
              </Form.Item>
            </Col>
          </Row>
          <Row gutter={16}>
            <Col span={6}>
              <Form.Item name={['timeLimit', 'value']} label="处置时限" required>
                <InputNumber style={{ width: '100%' }} data-testid="category-time-value" />
              </Form.Item>
            </Col>
            <Col span={6}>
              <Form.Item name={['timeLimit', 'unit']} label="时限单位" required>
                <Select options={TIME_LIMIT_UNITS.map((u) => ({ value: u, label: TIME_LIMIT_UNIT_NAMES_ZH[u] }))} />
              </Form.Item>
            </Col>
            <Col span={12}>
              <Form.Item name="defaultDepartmentId" label="默认处置部门" required>
                <Select
                  showSearch
                  optionFilterProp="label"
                  data-testid="category-department"
                  options={departments.map((d) => ({ value: d.id, label: d.name }))}
                />
              </Form.Item>
            </Col>
          </Row>
          <Row gutter={16}>
            <Col span={6}>
              <Form.Item name="publicReportable" label="市民可报" valuePropName="checked">
                <Switch />
              </Form.Item>
            </Col>
            <Col span={6}>
              <Form.Item name="basePoints" label="基础积分" required>
                <InputNumber style={{ width: '100%' }} data-testid="category-points" />
              </Form.Item>
            </Col>
            <Col span={6}>
              <Form.Item name="popularity" label="常用度（越大越靠前）">
                <InputNumber style={{ width: '100%' }} />
              </Form.Item>
            </Col>
          </Row>
          <Form.Item name="keywords" label="搜索词">
            <Select mode="tags" tokenSeparators={[',', '，', ' ']} open={false} placeholder="输入后回车" />
          </Form.Item>
        </Form>
      </Modal>
    </>
  );
}
