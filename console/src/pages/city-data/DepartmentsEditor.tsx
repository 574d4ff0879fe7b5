import { useCallback, useEffect, useMemo, useState } from 'react';
import { App, Button, Col, Form, Input, Modal, Popconfirm, Row, Select, Space, Table, Tag, Typography } from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import {
  DEPARTMENT_KINDS,
  DEPARTMENT_KIND_NAMES_ZH,
  departmentSchema,
  departmentsFileSchema,
  type AreaTree,
  type Category,
  type Department,
  type DepartmentKind,
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
  id?: string;
  name?: string;
  kind?: DepartmentKind;
  categories?: string[];
  areaIds?: string[];
}
const FIELDS: PathSegment[][] = [['id'], ['name'], ['kind'], ['categories'], ['areaIds']];
const COLUMN_NAMES: Record<string, string> = { id: '部门编号', name: '名称', kind: '类型', categories: '负责类别', areaIds: '负责区域', '': '整行' };

function departmentOf(v: Values): unknown {
  return {
    id: (v.id ?? '').trim(),
    name: v.name ?? '',
    kind: v.kind ?? 'owner',
    ...(v.categories?.length ? { categories: v.categories } : {}),
    ...(v.areaIds?.length ? { areaIds: v.areaIds } : {}),
  };
}

/** 处置部门: departments, the categories they own and the areas they answer for (PUT /admin/departments replaces the list). */
export function DepartmentsEditor() {
  const { message } = App.useApp();
  const [rows, setRows] = useState<Department[] | null>(null);
  const [categories, setCategories] = useState<Category[]>([]);
  const [areas, setAreas] = useState<AreaTree | null>(null);
  const [version, setVersion] = useState<number | null>(null);
  const [dirty, setDirty] = useState(false);
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<SaveOutcome>({});
  const [problems, setProblems] = useState<RowProblem[]>([]);
  const [general, setGeneral] = useState<SummaryItem[]>([]);
  const [editing, setEditing] = useState<number | 'new' | null>(null);
  const [form] = Form.useForm<Values>();

  const load = useCallback(async () => {
    try {
      const [depts, catalogue, tree] = await Promise.all([api.call('getDepartmentsData'), api.call('getCatalogueData'), api.call('getAreaTree')]);
      setRows(depts.departments);
      setVersion(depts.version);
      setCategories(catalogue.categories);
      setAreas(tree);
      setDirty(false);
      setProblems([]);
      setGeneral([]);
      setOutcome({});
    } catch (e) {
      setOutcome(failedSave(e));
    }
  }, []);
  useEffect(() => {
    void load();
  }, [load]);

  const categoryName = useMemo(() => new Map(categories.map((c) => [c.id, c.name])), [categories]);
  const areaOptions = useMemo(() => {
    const options: { value: string; label: string }[] = [];
    for (const d of areas?.districts ?? []) {
      options.push({ value: d.id, label: `${d.name}（区）` });
      for (const s of d.streets) {
        options.push({ value: s.id, label: `${d.name} / ${s.name}` });
        for (const g of s.grids) options.push({ value: g.id, label: `${d.name} / ${s.name} / ${g.name}` });
      }
    }
    return options;
  }, [areas]);
  const areaName = useMemo(() => new Map(areaOptions.map((o) => [o.value, o.label])), [areaOptions]);

  const showOnForm = (rowProblems: { path: PathSegment[]; message: string }[]) => {
    const { fields, unplaced } = formFieldErrors(rowProblems, FIELDS);
    setFieldErrors(form, fields);
    if (unplaced.length) void message.error(unplaced.join('；'));
  };

  const open = (index: number | 'new') => {
    form.resetFields();
    const d = index === 'new' ? null : rows![index]!;
    form.setFieldsValue(
      d
        ? { id: d.id, name: d.name, kind: d.kind, categories: d.categories ?? [], areaIds: d.areaIds ?? [] }
        : { kind: 'owner', categories: [], areaIds: [] },
    );
    setEditing(index);
    if (index !== 'new') setTimeout(() => showOnForm(problems.filter((p) => p.row === index)), 0);
  };

  const apply = () => {
    if (!rows || editing === null) return;
    const one = safeParseCityData(departmentSchema, departmentOf(form.getFieldsValue()));
    if (!one.success) {
      showOnForm(schemaCityProblems(one.error));
      return;
    }
    const placed = placeRow(rows, editing, one.data, (next) => problemsOf(safeParseCityData(departmentsFileSchema, next)));
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

  const save = async () => {
    if (!rows) return;
    const parsed = safeParseCityData(departmentsFileSchema, rows);
    if (!parsed.success) {
      const split = splitRowProblems(schemaCityProblems(parsed.error));
      setProblems(split.rows);
      setGeneral(split.general.map((m) => ({ where: '部门列表', message: m })));
      setOutcome({});
      return;
    }
    setBusy(true);
    try {
      const result = await api.call('replaceDepartmentsData', {
        query: { baseVersion: version === null ? undefined : String(version) },
        body: parsed.data,
      });
      setVersion(result.version);
      setProblems([]);
      setGeneral([]);
      setDirty(false);
      setOutcome(savedOutcome(result.version));
      void message.success(`部门已保存（${result.count} 个部门）`);
    } catch (e) {
      const split = splitRowProblems(ownProblems(apiCityProblems(e, 'departments')));
      setProblems(split.rows);
      // Categories still naming a removed department are the catalogue's rows: name them.
      setGeneral([...split.general.map((m) => ({ where: '部门列表', message: m })), ...foreignSummary(e, 'departments', { categories })]);
      setOutcome(failedSave(e));
    } finally {
      setBusy(false);
    }
  };

  const summary: SummaryItem[] = [
    ...general,
    ...problems.map((p) => ({
      where: `第 ${p.row + 1} 行${rows?.[p.row] ? `（${rows[p.row]!.name}）` : ''} ${COLUMN_NAMES[p.column] ?? p.column}`,
      message: p.message,
      onOpen: rows?.[p.row] ? () => open(p.row) : undefined,
    })),
  ];
  const cell = (index: number, columns: string[], content: React.ReactNode) => (
    <Cell messages={columns.flatMap((col) => cellMessages(problems, index, col))} testId={`department-cell-${index}-${columns[0]}`}>
      {content}
    </Cell>
  );
  const listed = (ids: string[] | undefined, names: Map<string, string>) =>
    ids?.length ? (
      <Typography.Text ellipsis={{ tooltip: ids.map((id) => names.get(id) ?? id).join('、') }} style={{ maxWidth: 320 }}>
        {ids.map((id) => names.get(id) ?? id).join('、')}
      </Typography.Text>
    ) : (
      '—'
    );
  type Shown = Department & { index: number };

  return (
    <>
      <EditorBar
        title="处置部门"
        testId="departments"
        count={rows ? `共 ${rows.length} 个部门` : ''}
        version={version}
        dirty={dirty}
        busy={busy}
        outcome={outcome}
        onSave={() => void save()}
        onReload={() => void load()}
        extra={
          <Button icon={<PlusOutlined />} onClick={() => open('new')} data-testid="department-add">
            新增部门
          </Button>
        }
      />
      <ProblemSummary items={summary} refused={outcome.refused} testId="departments" />
      <Table<Shown>
        style={{ marginTop: 12 }}
        size="small"
        rowKey="index"
        loading={!rows && !outcome.error}
        dataSource={(rows ?? []).map((d, index) => ({ ...d, index }))}
        pagination={false}
        onRow={(d) => ({ 'data-testid': `department-row-${d.id}` }) as React.HTMLAttributes<HTMLElement>}
        columns={[
          { title: '部门编号', key: 'id', width: 170, render: (_: unknown, d: Shown) => cell(d.index, ['id', ''], d.id) },
          { title: '名称', key: 'name', render: (_: unknown, d: Shown) => cell(d.index, ['name'], d.name) },
          {
            title: '类型',
            key: 'kind',
            width: 100,
            render: (_: unknown, d: Shown) =>
              cell(d.index, ['kind'], <Tag color={d.kind === 'area' ? 'blue' : 'purple'}>{DEPARTMENT_KIND_NAMES_ZH[d.kind]}</Tag>),
          },
          {
            title: '另外负责的类别',
            key: 'categories',
            render: (_: unknown, d: Shown) => cell(d.index, ['categories'], listed(d.categories, categoryName)),
          },
          { title: '负责区域', key: 'areaIds', render: (_: unknown, d: Shown) => cell(d.index, ['areaIds'], listed(d.areaIds, areaName)) },
          {
            title: '操作',
            key: 'actions',
            width: 130,
            render: (_: unknown, d: Shown) => (
              <Space size="small">
                <Button size="small" onClick={() => open(d.index)} data-testid={`department-edit-${d.id}`}>
                  编辑
                </Button>
                <Popconfirm title={`删除部门 ${d.name}？`} okText="删除" cancelText="取消" onConfirm={() => remove(d.index)}>
                  <Button size="small" danger data-testid={`department-remove-${d.id}`}>
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
        title={editing === 'new' ? '新增部门' : `编辑部门 ${editing !== null && rows?.[editing] ? rows[editing]!.name : ''}`}
        okText="确定"
        cancelText="取消"
        width={720}
        onOk={apply}
        okButtonProps={{ 'data-testid': 'department-apply' } as never}
        onCancel={() => setEditing(null)}
        forceRender
      >
        <Form
          form={form}
          layout="vertical"
          onValuesChange={(changed: object) =>
            setFieldErrors(
              form,
              Object.keys(changed).map((name) => ({ name, errors: [] })),
            )
          }
        >
          <Row gutter={16}>
            <Col span={8}>
              <Form.Item name="id" label="部门编号" required extra="字母、数字、_ 或 -；类别和账号按编号引用">
                <Input data-testid="department-id" />
              </Form.Item>
            </Col>
            <Col span={10}>
              <Form.Item name="name" label="名称" required>
                <Input maxLength={60} data-testid="department-name" />
              </Form.Item>
            </Col>
            <Col span={6}>
              <Form.Item name="kind" label="类型" required>
                <Select options={DEPARTMENT_KINDS.map((k) => ({ value: k, label: DEPARTMENT_KIND_NAMES_ZH[k] }))} />
              </Form.Item>
            </Col>
          </Row>
          <Form.Item name="categories" label="另外负责的类别" extra="以本部门为默认处置部门的类别不必列出">
            <Select
              mode="multiple"
              allowClear
              optionFilterProp="label"
              options={categories.map((c) => ({ value: c.id, label: `${c.id} ${c.name}` }))}
            />
          </Form.Item>
          <Form.Item name="areaIds" label="负责区域" extra="属地单位必填；专业部门填写则只负责这些区域">
            <Select mode="multiple" allowClear optionFilterProp="label" options={areaOptions} data-testid="department-areas" />
          </Form.Item>
        </Form>
      </Modal>
    </>
  );
}
