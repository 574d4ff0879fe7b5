import { useCallback, useEffect, useMemo, useState } from 'react';
import { App, Button, Card, Col, Empty, Form, Input, Popconfirm, Row, Space, Tag, Tree, Typography } from 'antd';
import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { areasFileSchema, gridGeometrySchema, safeParseCityData, type CityAnswer, type GridGeometry } from '@ssp/shared';
import {
  apiCityProblems,
  boundaryBeside,
  emptyNodeProblems,
  featuresFromTree,
  newNodeKey,
  placeAreaProblems,
  schemaCityProblems,
  treeFromFeatures,
  type AreaLevel,
  type DistrictNode,
  type GridNode,
  type NodeField,
  type NodeProblem,
  type StreetNode,
} from '../../city-data';
import { GridBoundaryMap, type SiblingGrid } from '../../components/GridBoundaryMap';
import { api } from '../../session';
import {
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

const LEVEL_NAMES: Record<AreaLevel, string> = { district: '区县', street: '街道', grid: '网格' };
const FIELD_NAMES: Record<NodeField, string> = { id: '编号', name: '名称', geometry: '边界', '': '' };

interface Found {
  level: AreaLevel;
  district: DistrictNode;
  street?: StreetNode;
  grid?: GridNode;
}

function find(tree: DistrictNode[], key: string | null): Found | null {
  if (!key) return null;
  for (const district of tree) {
    if (district.key === key) return { level: 'district', district };
    for (const street of district.streets) {
      if (street.key === key) return { level: 'street', district, street };
      for (const grid of street.grids) if (grid.key === key) return { level: 'grid', district, street, grid };
    }
  }
  return null;
}

/** A copy of the tree with one node changed (the editor's state is never mutated in place). */
function update(tree: DistrictNode[], key: string, change: (node: DistrictNode | StreetNode | GridNode) => void): DistrictNode[] {
  return tree.map((d) => {
    const district = { ...d, streets: d.streets.map((s) => ({ ...s, grids: s.grids.map((g) => ({ ...g })) })) };
    if (district.key === key) change(district);
    for (const street of district.streets) {
      if (street.key === key) change(street);
      for (const grid of street.grids) if (grid.key === key) change(grid);
    }
    return district;
  });
}

/** 区域网格: the district → street → grid tree with each grid's boundary (PUT /admin/areas replaces the whole GeoJSON). */
export function AreasEditor() {
  const { message } = App.useApp();
  const [tree, setTree] = useState<DistrictNode[] | null>(null);
  const [city, setCity] = useState<CityAnswer | null>(null);
  const [version, setVersion] = useState<number | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const [dirty, setDirty] = useState(false);
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<SaveOutcome>({});
  const [problems, setProblems] = useState<NodeProblem[]>([]);
  const [general, setGeneral] = useState<string[]>([]);
  const [foreign, setForeign] = useState<SummaryItem[]>([]);
  /** Boundaries being typed that are not valid GeoJSON yet, by grid key. */
  const [drafts, setDrafts] = useState<Record<string, { text: string; error: string }>>({});
  const [expanded, setExpanded] = useState<string[]>([]);
  const [form] = Form.useForm<{ id: string; name: string; geometry: string }>();

  const load = useCallback(async () => {
    try {
      const [file, c] = await Promise.all([api.call('getAreasData'), api.call('getCity')]);
      const t = treeFromFeatures(file);
      setTree(t);
      setCity(c);
      setVersion(file.version);
      setSelected(null);
      setExpanded(t.map((d) => d.key));
      setDirty(false);
      setProblems([]);
      setGeneral([]);
      setForeign([]);
      setDrafts({});
      setOutcome({});
    } catch (e) {
      setOutcome(failedSave(e));
    }
  }, []);
  useEffect(() => {
    void load();
  }, [load]);

  const current = useMemo(() => (tree ? find(tree, selected) : null), [tree, selected]);
  const node = current ? (current.grid ?? current.street ?? current.district) : null;
  const siblings = useMemo<SiblingGrid[]>(
    () =>
      current?.grid && current.street
        ? current.street.grids.filter((g) => g.key !== current.grid!.key).map((g) => ({ key: g.key, name: g.name, geometry: g.geometry }))
        : [],
    [current],
  );

  // The selected node in the form, with its problems on their fields.
  useEffect(() => {
    if (!node) return;
    const draft = drafts[node.key];
    form.setFieldsValue({
      id: node.id,
      name: node.name,
      geometry: draft?.text ?? ('geometry' in node ? JSON.stringify(node.geometry) : ''),
    });
    const mine = problems.filter((p) => p.node === node.key);
    setFieldErrors(
      form,
      (['id', 'name', 'geometry'] as const).map((name) => ({
        name,
        errors: [...mine.filter((p) => p.field === name).map((p) => p.message), ...(name === 'geometry' && draft ? [draft.error] : [])],
      })),
    );
  }, [node?.key, problems]); // eslint-disable-line react-hooks/exhaustive-deps

  const change = (key: string, fn: (n: DistrictNode | StreetNode | GridNode) => void) => {
    setTree((t) => (t ? update(t, key, fn) : t));
    setDirty(true);
  };

  const onValuesChange = (changed: { id?: string; name?: string; geometry?: string }) => {
    if (!node) return;
    const key = node.key;
    if (changed.id !== undefined) change(key, (n) => (n.id = changed.id!));
    if (changed.name !== undefined) change(key, (n) => (n.name = changed.name!));
    if (changed.geometry !== undefined) {
      let error = '';
      try {
        const parsed = safeParseCityData(gridGeometrySchema, JSON.parse(changed.geometry));
        if (parsed.success) change(key, (n) => ((n as GridNode).geometry = parsed.data));
        else error = parsed.error.issues[0]?.message ?? '边界格式有误';
      } catch {
        error = '边界不是有效的 JSON';
      }
      // An invalid text stays a draft: the tree (and the map) keep the last valid boundary.
      setDrafts(({ [key]: _old, ...rest }) => (error ? { ...rest, [key]: { text: changed.geometry!, error } } : rest));
      setFieldErrors(form, [{ name: 'geometry', errors: error ? [error] : [] }]);
    }
    // Edited fields lose their old problems.
    const fields = Object.keys(changed);
    setProblems((ps) => ps.filter((p) => !(p.node === key && (fields.includes(p.field) || p.field === ''))));
    setFieldErrors(
      form,
      fields.filter((f) => f !== 'geometry').map((name) => ({ name, errors: [] })),
    );
  };

  /** A boundary drawn or reshaped on the map: into the field, as if typed there. */
  const onMapChange = (geometry: GridGeometry) => {
    const text = JSON.stringify(geometry);
    form.setFieldsValue({ geometry: text });
    onValuesChange({ geometry: text });
  };

  const add = (level: AreaLevel) => {
    if (!tree) return;
    const center = city?.center ?? { lat: 0, lng: 0 };
    let created: string;
    if (level === 'district') {
      const street: StreetNode = { key: newNodeKey('street'), id: '', name: '', grids: [] };
      const district: DistrictNode = { key: newNodeKey('district'), id: '', name: '', streets: [street] };
      setTree([...tree, district]);
      setExpanded((e) => [...e, district.key, street.key]);
      created = district.key;
    } else if (level === 'street' && current) {
      const street: StreetNode = { key: newNodeKey('street'), id: '', name: '', grids: [] };
      setTree(update(tree, current.district.key, (d) => (d as DistrictNode).streets.push(street)));
      setExpanded((e) => [...e, current.district.key, street.key]);
      created = street.key;
    } else if (level === 'grid' && current?.street) {
      const grid: GridNode = { key: newNodeKey('grid'), id: '', name: '', geometry: boundaryBeside(current.street, center) };
      setTree(update(tree, current.street.key, (s) => (s as StreetNode).grids.push(grid)));
      setExpanded((e) => [...e, current.district.key, current.street!.key]);
      created = grid.key;
    } else return;
    setDirty(true);
    setSelected(created);
  };

  const remove = () => {
    if (!tree || !current || !node) return;
    const key = node.key;
    const next = tree
      .filter((d) => d.key !== key)
      .map((d) => ({ ...d, streets: d.streets.filter((s) => s.key !== key).map((s) => ({ ...s, grids: s.grids.filter((g) => g.key !== key) })) }));
    setTree(next);
    setSelected(current.level === 'grid' ? current.street!.key : current.level === 'street' ? current.district.key : null);
    setDirty(true);
  };

  const save = async () => {
    if (!tree) return;
    const { file, owners } = featuresFromTree(tree);
    const draftProblems: NodeProblem[] = Object.entries(drafts).map(([node, d]) => ({ node, field: 'geometry', message: d.error }));
    const parsed = safeParseCityData(areasFileSchema, file);
    const placed = parsed.success ? { nodes: [], general: [] } : placeAreaProblems(schemaCityProblems(parsed.error), owners);
    const local = [...draftProblems, ...emptyNodeProblems(tree), ...placed.nodes];
    if (local.length || placed.general.length) {
      setProblems(local);
      setGeneral(placed.general);
      setOutcome({});
      if (local[0]) setSelected(local[0].node);
      return;
    }
    setBusy(true);
    setForeign([]);
    try {
      const result = await api.call('replaceAreasData', { query: { baseVersion: version === null ? undefined : String(version) }, body: file });
      setVersion(result.version);
      setProblems([]);
      setGeneral([]);
      setDirty(false);
      setOutcome(savedOutcome(result.version));
      void message.success(`区域网格已保存（${result.count} 个网格）`);
    } catch (e) {
      const fromApi = placeAreaProblems(ownProblems(apiCityProblems(e)), owners);
      // Departments still listing a removed district, street or grid.
      setForeign(foreignSummary(e, 'areas'));
      setProblems(fromApi.nodes);
      setGeneral(fromApi.general);
      setOutcome(failedSave(e));
      if (fromApi.nodes[0]) setSelected(fromApi.nodes[0].node);
    } finally {
      setBusy(false);
    }
  };

  const labelOf = (key: string): string => {
    const f = tree ? find(tree, key) : null;
    if (!f) return '';
    const n = f.grid ?? f.street ?? f.district;
    return `${LEVEL_NAMES[f.level]}「${n.name || n.id || '未命名'}」`;
  };
  const summary: SummaryItem[] = [
    ...general.map((m) => ({ where: '区域数据', message: m })),
    ...foreign,
    ...problems.map((p) => ({
      where: `${labelOf(p.node)}${FIELD_NAMES[p.field] ? ` ${FIELD_NAMES[p.field]}` : ''}`,
      message: p.message,
      onOpen: () => setSelected(p.node),
    })),
  ];

  const title = (n: DistrictNode | StreetNode | GridNode, level: AreaLevel) => {
    const mine = problems.filter((p) => p.node === n.key);
    return (
      <span data-testid={`area-node-${n.id || n.key}`}>
        <span style={mine.length ? { color: '#cf1322' } : undefined}>{n.name || '（未命名）'}</span>{' '}
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {n.id || '无编号'}
          {level === 'street' ? ` · ${(n as StreetNode).grids.length} 个网格` : ''}
        </Typography.Text>
        {mine.length > 0 && (
          <Tag color="error" style={{ marginLeft: 6 }} data-testid="area-node-problem">
            {mine.length} 处有误
          </Tag>
        )}
      </span>
    );
  };
  const treeData = (tree ?? []).map((d) => ({
    key: d.key,
    title: title(d, 'district'),
    children: d.streets.map((s) => ({
      key: s.key,
      title: title(s, 'street'),
      children: s.grids.map((g) => ({ key: g.key, title: title(g, 'grid'), isLeaf: true })),
    })),
  }));
  const grids = tree?.reduce((n, d) => n + d.streets.reduce((m, s) => m + s.grids.length, 0), 0) ?? 0;

  return (
    <>
      <EditorBar
        title="区域网格"
        testId="areas"
        count={tree ? `${tree.length} 个区县，${grids} 个网格` : ''}
        version={version}
        dirty={dirty}
        busy={busy}
        outcome={outcome}
        onSave={() => void save()}
        onReload={() => void load()}
        extra={
          <Button icon={<PlusOutlined />} onClick={() => add('district')} data-testid="area-add-district">
            新增区县
          </Button>
        }
      />
      <ProblemSummary items={summary} refused={outcome.refused} testId="areas" />
      <Row gutter={16} style={{ marginTop: 12 }}>
        <Col span={11}>
          <Card size="small" title="区县 → 街道 → 网格" styles={{ body: { maxHeight: 600, overflow: 'auto' } }}>
            {tree && (
              <Tree
                blockNode
                data-testid="area-tree"
                treeData={treeData}
                expandedKeys={expanded}
                onExpand={(keys) => setExpanded(keys.map(String))}
                selectedKeys={selected ? [selected] : []}
                onSelect={(keys) => setSelected(keys.length ? String(keys[0]) : selected)}
              />
            )}
          </Card>
        </Col>
        <Col span={13}>
          <Card
            size="small"
            title={current && node ? `${LEVEL_NAMES[current.level]}：${node.name || '（未命名）'}` : '选择左侧的节点'}
            extra={
              current && (
                <Space>
                  {current.level === 'district' && (
                    <Button size="small" icon={<PlusOutlined />} onClick={() => add('street')} data-testid="area-add-street">
                      添加街道
                    </Button>
                  )}
                  {current.level === 'street' && (
                    <Button size="small" icon={<PlusOutlined />} onClick={() => add('grid')} data-testid="area-add-grid">
                      添加网格
                    </Button>
                  )}
                  <Popconfirm
                    title={`删除${LEVEL_NAMES[current.level]}${current.level === 'grid' ? '' : '及其下所有网格'}？`}
                    okText="删除"
                    cancelText="取消"
                    onConfirm={remove}
                  >
                    <Button size="small" danger icon={<DeleteOutlined />} data-testid="area-remove">
                      删除
                    </Button>
                  </Popconfirm>
                </Space>
              )
            }
          >
            {current && node ? (
              <Form form={form} layout="vertical" onValuesChange={onValuesChange}>
                {problems
                  .filter((p) => p.node === node.key && p.field === '')
                  .map((p, i) => (
                    <Typography.Text key={i} type="danger" style={{ display: 'block', marginBottom: 8 }}>
                      {p.message}
                    </Typography.Text>
                  ))}
                <Row gutter={16}>
                  <Col span={10}>
                    <Form.Item name="id" label={`${LEVEL_NAMES[current.level]}编号`} required extra="字母、数字、_ 或 -，全市唯一">
                      <Input data-testid="area-id" />
                    </Form.Item>
                  </Col>
                  <Col span={14}>
                    <Form.Item name="name" label={`${LEVEL_NAMES[current.level]}名称`} required>
                      <Input maxLength={60} data-testid="area-name" />
                    </Form.Item>
                  </Col>
                </Row>
                {current.level === 'grid' && current.grid ? (
                  <>
                    <Form.Item
                      name="geometry"
                      label="边界（GeoJSON Polygon / MultiPolygon，GCJ-02 [经度, 纬度]）"
                      extra="新网格先放一个示意方块：请粘贴测绘的边界坐标，或在下方地图上绘制"
                    >
                      <Input.TextArea rows={6} style={{ fontFamily: 'monospace', fontSize: 12 }} data-testid="area-geometry" />
                    </Form.Item>
                    {city && (
                      <GridBoundaryMap
                        city={city}
                        gridKey={current.grid.key}
                        geometry={current.grid.geometry}
                        siblings={siblings}
                        onChange={onMapChange}
                      />
                    )}
                  </>
                ) : (
                  <Typography.Text type="secondary">
                    {current.level === 'district'
                      ? `下辖 ${current.district.streets.length} 个街道。改名对其下所有网格生效。`
                      : `下辖 ${current.street!.grids.length} 个网格。改名对其下所有网格生效。`}
                  </Typography.Text>
                )}
              </Form>
            ) : (
              <Empty description="在左侧选择区县、街道或网格进行修改" />
            )}
          </Card>
        </Col>
      </Row>
    </>
  );
}
