import { useCallback, useEffect, useMemo, useState } from 'react';
import { Alert, Button, Card, Cascader, DatePicker, Input, Segmented, Select, Space, Switch, Table, Tabs, Tag, Tooltip, Typography } from 'antd';
import { ReloadOutlined } from '@ant-design/icons';
import type { Dayjs } from 'dayjs';
import { useSearchParams } from 'react-router-dom';
import {
  CASE_SOURCES,
  STAFF_STATE_NAMES_ZH,
  overdueFirst,
  queueTabs,
  type CityAnswer,
  type GridBoundaries,
  type OperationInput,
  type QueueTab,
  type StaffCaseSummary,
} from '@ssp/shared';
import { mayCall, takesAction } from '../access';
import { BulkDispatchModal } from '../components/BulkDispatchModal';
import { CaseMap } from '../components/CaseMap';
import { useCatalogue } from '../catalogue';
import { CaseDrawer } from '../components/CaseDrawer';
import { SOURCE_NAMES_ZH, STATE_COLORS, deadlineCountdown, formatTime, useNow } from '../format';
import { api, errorText, type Session } from '../session';

type QueueQuery = NonNullable<OperationInput<'caseQueue'>['query']>;
export type DeskMode = 'desk' | 'tasks' | 'verify';

const TITLES: Record<DeskMode, { title: string; hint: string }> = {
  desk: { title: '案件调度台', hint: '按状态分队列，超期案件排在最前；点击案件查看详情并办理。' },
  tasks: { title: '我的任务', hint: '本部门的案件，按处置时限排序，倒计时按工作日历计算的时限。' },
  verify: { title: '核查队列', hint: '处置部门已反馈的案件，核查后结案或返工。' },
};

interface Filters {
  area: string[];
  categoryId?: string;
  source?: QueueQuery['source'];
  overdue: boolean;
  range: [Dayjs | null, Dayjs | null] | null;
  q: string;
}
const NO_FILTERS: Filters = { area: [], overdue: false, range: null, q: '' };

function tabsFor(mode: DeskMode, session: Session): QueueTab[] {
  if (mode === 'tasks') return queueTabs('department');
  if (mode === 'verify') return queueTabs('supervisor');
  return [...queueTabs(session.staff.role), { key: 'all', title: '全部案件', query: {} }];
}

/** A case queue with filters and search, and the case drawer: the dispatch desk, a department's tasks, the verification queue. */
export function CaseDesk({ mode, session }: { mode: DeskMode; session: Session }) {
  const tabs = useMemo(() => tabsFor(mode, session), [mode, session]);
  const [params, setParams] = useSearchParams();
  const tabKey = params.get('tab') ?? tabs[0]?.key ?? 'all';
  const openCaseId = params.get('case');
  const view = mode === 'desk' && params.get('view') === 'map' ? 'map' : 'list';
  const [city, setCity] = useState<CityAnswer | null>(null);
  const [boundaries, setBoundaries] = useState<GridBoundaries | null>(null);
  const tab = tabs.find((t) => t.key === tabKey) ?? tabs[0]!;
  const catalogue = useCatalogue();
  const now = useNow(1000);

  const [filters, setFilters] = useState<Filters>(NO_FILTERS);
  const [applied, setApplied] = useState<Filters>(NO_FILTERS);
  const [items, setItems] = useState<StaffCaseSummary[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [selected, setSelected] = useState<string[]>([]);
  const [bulk, setBulk] = useState(false);
  // Dispatchers may dispatch several filed cases at once.
  const bulkDispatch = mode === 'desk' && takesAction(session.staff.role, ['dispatch']) && (tab.query as QueueQuery).state === 'filed';

  const query = useMemo((): QueueQuery => {
    const q: QueueQuery = { ...(tab.query as QueueQuery), limit: view === 'map' ? 100 : 50 };
    const [districtId, streetId, gridId] = applied.area;
    if (districtId) q.districtId = districtId;
    if (streetId) q.streetId = streetId;
    if (gridId) q.gridId = gridId;
    if (applied.categoryId) q.categoryId = applied.categoryId;
    if (applied.source) q.source = applied.source;
    if (applied.overdue) q.overdue = 'true';
    if (applied.range?.[0]) q.from = applied.range[0].format('YYYY-MM-DD');
    if (applied.range?.[1]) q.to = applied.range[1].format('YYYY-MM-DD');
    if (applied.q.trim()) q.q = applied.q.trim();
    return q;
  }, [tab, applied, view]);

  const load = useCallback(
    async (after?: string) => {
      setLoading(true);
      setError(null);
      try {
        const page = await api.call('caseQueue', { query: after ? { ...query, cursor: after } : query });
        setItems((prev) => overdueFirst(after ? [...prev, ...page.items] : page.items));
        if (!after) setSelected([]);
        setCursor(page.nextCursor);
      } catch (e) {
        setError(errorText(e));
      } finally {
        setLoading(false);
      }
    },
    [query],
  );

  useEffect(() => {
    void load();
  }, [load]);

  // The map's city (tiles, centre) and grid boundaries, once it is first shown.
  useEffect(() => {
    if (view !== 'map' || city) return;
    api
      .call('getCity')
      .then(setCity)
      .catch((e: unknown) => setError(errorText(e)));
    if (mayCall(session.staff.role, 'getGridBoundaries')) {
      api
        .call('getGridBoundaries')
        .then(setBoundaries)
        .catch(() => undefined);
    }
  }, [view, city, session]);

  const setParam = (key: string, value: string | null) => {
    const next = new URLSearchParams(params);
    if (value) next.set(key, value);
    else next.delete(key);
    setParams(next);
  };

  const areaOptions = useMemo(
    () =>
      catalogue?.areas.districts.map((d) => ({
        value: d.id,
        label: d.name,
        children: d.streets.map((s) => ({ value: s.id, label: s.name, children: s.grids.map((g) => ({ value: g.id, label: g.name })) })),
      })) ?? [],
    [catalogue],
  );

  const columns = [
    {
      title: '案件编号',
      dataIndex: 'caseNo',
      key: 'caseNo',
      width: 150,
      render: (caseNo: string, c: StaffCaseSummary) => (
        <Space direction="vertical" size={0}>
          <Typography.Link onClick={() => setParam('case', c.id)}>{caseNo}</Typography.Link>
          {c.overdue && <Tag color="red">超期</Tag>}
        </Space>
      ),
    },
    {
      title: '问题类别',
      key: 'category',
      width: 140,
      render: (_: unknown, c: StaffCaseSummary) => (
        <Space direction="vertical" size={0}>
          <span>{c.categoryName}</span>
          <Typography.Text type="secondary">{c.campaignId ? '活动上报' : (SOURCE_NAMES_ZH[c.source] ?? c.source)}</Typography.Text>
        </Space>
      ),
    },
    {
      title: '位置',
      key: 'place',
      render: (_: unknown, c: StaffCaseSummary) => (
        <Space direction="vertical" size={0}>
          <span>{c.address ?? '（无地址）'}</span>
          <Typography.Text type="secondary">
            {catalogue ? [c.districtId, c.streetId, c.gridId].map((id) => catalogue.areaName(id)).join(' / ') : ''}
          </Typography.Text>
        </Space>
      ),
    },
    {
      title: '状态',
      dataIndex: 'state',
      key: 'state',
      width: 120,
      render: (_: unknown, c: StaffCaseSummary) => (
        <Space size={4} wrap>
          <Tag color={STATE_COLORS[c.state]}>{STAFF_STATE_NAMES_ZH[c.state]}</Tag>
          {c.postponeRequested && <Tag color="orange">申请缓办</Tag>}
          {c.reopenRequested && <Tag color="magenta">反馈未解决</Tag>}
        </Space>
      ),
    },
    {
      title: '处置时限',
      key: 'deadline',
      width: 170,
      render: (_: unknown, c: StaffCaseSummary) => {
        const countdown = deadlineCountdown(c.deadline, c.state, now, { calendar: catalogue?.calendar, urgent: catalogue?.isUrgent(c.categoryId) });
        if (!countdown) return <Typography.Text type="secondary">{c.deadline ? formatTime(c.deadline) : '—'}</Typography.Text>;
        return (
          <Tooltip title={`时限：${formatTime(c.deadline)}${countdown.working ? '（按工作日历计算，不含休息日、节假日和非工作时间）' : ''}`}>
            <Typography.Text type={countdown.overdue ? 'danger' : undefined} strong={countdown.overdue} data-testid="countdown">
              {countdown.text}
            </Typography.Text>
          </Tooltip>
        );
      },
    },
    ...(mode === 'desk'
      ? [
          {
            title: '处置部门',
            key: 'dept',
            width: 140,
            render: (_: unknown, c: StaffCaseSummary) => catalogue?.departmentName(c.departmentId) ?? '—',
          },
        ]
      : []),
    { title: '上报时间', dataIndex: 'createdAt', key: 'createdAt', width: 140, render: (v: string) => formatTime(v) },
  ];

  return (
    <Card>
      <Typography.Title level={4} style={{ marginTop: 0 }}>
        {TITLES[mode].title}
      </Typography.Title>
      <Typography.Paragraph type="secondary">{TITLES[mode].hint}</Typography.Paragraph>
      {mode === 'desk' && (
        <Segmented
          style={{ float: 'right' }}
          value={view}
          onChange={(v) => setParam('view', v === 'map' ? 'map' : null)}
          options={[
            { value: 'list', label: '列表' },
            { value: 'map', label: '地图' },
          ]}
          data-testid="view-toggle"
        />
      )}
      <Tabs
        activeKey={tab.key}
        onChange={(key) => {
          const next = new URLSearchParams(params);
          next.set('tab', key);
          next.delete('case');
          setParams(next);
        }}
        items={tabs.map((t) => ({ key: t.key, label: t.title }))}
      />
      <Space wrap style={{ marginBottom: 16 }} data-testid="case-filters">
        <Cascader
          style={{ width: 260 }}
          placeholder="区县 / 街道 / 网格"
          options={areaOptions}
          changeOnSelect
          value={filters.area}
          onChange={(v) => setFilters({ ...filters, area: (v ?? []) as string[] })}
          data-testid="filter-area"
        />
        <Select
          style={{ width: 180 }}
          placeholder="问题类别"
          allowClear
          showSearch
          optionFilterProp="label"
          value={filters.categoryId}
          onChange={(v) => setFilters({ ...filters, categoryId: v })}
          options={catalogue?.categories.map((c) => ({ value: c.id, label: c.name })) ?? []}
          data-testid="filter-category"
        />
        <Select
          style={{ width: 140 }}
          placeholder="来源"
          allowClear
          value={filters.source}
          onChange={(v) => setFilters({ ...filters, source: v })}
          options={[...CASE_SOURCES, 'campaign' as const].map((s) => ({ value: s, label: SOURCE_NAMES_ZH[s] ?? s }))}
          data-testid="filter-source"
        />
        <DatePicker.RangePicker
          value={filters.range}
          onChange={(v) => setFilters({ ...filters, range: v as Filters['range'] })}
          placeholder={['上报开始日期', '上报结束日期']}
          data-testid="filter-range"
        />
        <Space>
          <Switch checked={filters.overdue} onChange={(v) => setFilters({ ...filters, overdue: v })} data-testid="filter-overdue" />
          <span>只看超期</span>
        </Space>
        <span data-testid="filter-q">
          <Input.Search
            style={{ width: 280 }}
            placeholder="案件编号或描述、地址关键词"
            allowClear
            value={filters.q}
            onChange={(e) => setFilters({ ...filters, q: e.target.value })}
            onSearch={(q) => setApplied({ ...filters, q })}
            enterButton="搜索"
          />
        </span>
        <Button type="primary" onClick={() => setApplied(filters)} data-testid="filter-apply">
          筛选
        </Button>
        <Button
          onClick={() => {
            setFilters(NO_FILTERS);
            setApplied(NO_FILTERS);
          }}
        >
          重置
        </Button>
        <Button icon={<ReloadOutlined />} onClick={() => void load()}>
          刷新
        </Button>
      </Space>
      {error && <Alert type="error" showIcon message={error} style={{ marginBottom: 16 }} />}
      {bulkDispatch && view === 'list' && (
        <Space style={{ marginBottom: 12 }}>
          <Button type="primary" disabled={!selected.length} onClick={() => setBulk(true)} data-testid="bulk-dispatch">
            批量派遣{selected.length ? `（${selected.length}）` : ''}
          </Button>
          <Typography.Text type="secondary">勾选待派遣的案件，一次派给同一个处置部门</Typography.Text>
        </Space>
      )}
      {view === 'map' && city && <CaseMap city={city} boundaries={boundaries} items={items} onOpen={(id) => setParam('case', id)} />}
      <Table<StaffCaseSummary>
        style={view === 'map' ? { display: 'none' } : undefined}
        rowKey="id"
        size="middle"
        rowSelection={
          bulkDispatch
            ? {
                selectedRowKeys: selected,
                onChange: (keys) => setSelected(keys as string[]),
                columnWidth: 40,
                getCheckboxProps: (c) => ({ 'aria-label': `选择 ${c.caseNo}` }) as never,
              }
            : undefined
        }
        loading={loading}
        dataSource={items}
        columns={columns}
        pagination={false}
        locale={{ emptyText: '当前队列没有案件' }}
        onRow={(c) =>
          ({
            onClick: () => setParam('case', c.id),
            style: { cursor: 'pointer' },
            'data-testid': `case-row-${c.caseNo}`,
          }) as React.HTMLAttributes<HTMLElement>
        }
        rowClassName={(c) => (c.overdue ? 'row-overdue' : '')}
        data-testid="case-table"
      />
      {cursor && (
        <div style={{ textAlign: 'center', marginTop: 16 }}>
          <Button onClick={() => void load(cursor)} loading={loading}>
            加载更多
          </Button>
        </div>
      )}
      {bulk && (
        <BulkDispatchModal
          cases={items.filter((c) => selected.includes(c.id))}
          catalogue={catalogue}
          onClose={() => setBulk(false)}
          onDone={() => void load()}
        />
      )}
      <CaseDrawer caseId={openCaseId} catalogue={catalogue} now={now} onClose={() => setParam('case', null)} onChanged={() => void load()} />
    </Card>
  );
}
