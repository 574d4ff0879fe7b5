import { useCallback, useEffect, useMemo, useState } from 'react';
import { Alert, App, Button, Card, Col, DatePicker, Modal, Row, Segmented, Space, Statistic, Table, Tabs, Tag, Typography } from 'antd';
import { DownloadOutlined, FileTextOutlined, PrinterOutlined } from '@ant-design/icons';
import dayjs, { type Dayjs } from 'dayjs';
import writeXlsxFile, { type SheetData } from 'write-excel-file/browser';
import { STAFF_STATE_NAMES_ZH, type CaseState, type OperationOutput } from '@ssp/shared';
import { LineChart } from '../components/LineChart';
import { saveCsv } from '../download';
import { formatTime } from '../format';
import { api, errorText } from '../session';
import { centreNameOf } from './ReportPage';
import { TREE_COUNT_COLUMNS, TREE_RATE_COLUMNS, ratePercentText, treeRows, treeSheet, type SheetCell, type StatsTreeRow } from '../stats-trees';

type Summary = OperationOutput<'staffStatsSummary'>;
type Series = OperationOutput<'staffStatsTimeseries'>;
type Departments = OperationOutput<'staffStatsDepartments'>;
type DepartmentRow = Departments['items'][number];
type Tree = OperationOutput<'staffStatsCategories'>;
type TreeKind = 'categories' | 'areas';
type Granularity = 'day' | 'week' | 'month';
type Rate = { ratio: number | null; percent: number | null };

/** The indicators shown, in order: counts, then rates (percent, 2 decimals as the API rounds them). */
export const COUNT_INDICATORS = [
  ['reported', '上报数'],
  ['filed', '立案数'],
  ['dispatched', '派遣数'],
  ['closures', '结案数'],
  ['overdue', '超期数'],
] as const;
export const RATE_INDICATORS = [
  ['closureRate', '结案率'],
  ['onTimeRate', '按期处置率'],
  ['reworkRate', '返工率'],
  ['filingRate', '立案率'],
  ['satisfaction', '满意率'],
] as const;

export const percentText = (r: Rate) => (r.percent === null ? '—' : `${r.percent.toFixed(2)}%`);

/** The statistics query of a month range. */
export function statsQuery(range: [Dayjs, Dayjs], granularity?: Granularity) {
  return { from: range[0].format('YYYY-MM'), to: range[1].format('YYYY-MM'), ...(granularity ? { granularity } : {}) };
}

/** 统计分析: the centre's indicators for a period, their trend, the department ranking, drill-down and export. */
export function StatsPage() {
  const { message } = App.useApp();
  const [range, setRange] = useState<[Dayjs, Dayjs]>([dayjs().startOf('month'), dayjs().startOf('month')]);
  const [granularity, setGranularity] = useState<Granularity>('day');
  const [summary, setSummary] = useState<Summary | null>(null);
  const [series, setSeries] = useState<Series | null>(null);
  const [departments, setDepartments] = useState<Departments | null>(null);
  const [trees, setTrees] = useState<{ categories: Tree; areas: Tree } | null>(null);
  const [treeKind, setTreeKind] = useState<TreeKind>('categories');
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [drill, setDrill] = useState<{ title: string; query: Record<string, string> } | null>(null);
  const [centreName, setCentreName] = useState('');

  useEffect(() => {
    api
      .call('getCity')
      .then((c) => setCentreName(centreNameOf(c.name)))
      .catch(() => undefined);
  }, []);

  const load = useCallback(async () => {
    setLoading(true);
    try {
      const q = statsQuery(range);
      const [s, t, d, categories, areas] = await Promise.all([
        api.call('staffStatsSummary', { query: q }),
        api.call('staffStatsTimeseries', { query: statsQuery(range, granularity) }),
        api.call('staffStatsDepartments', { query: q }),
        api.call('staffStatsCategories', { query: q }),
        api.call('staffStatsAreas', { query: q }),
      ]);
      setSummary(s);
      setSeries(t);
      setDepartments(d);
      setTrees({ categories, areas });
      setError(null);
    } catch (e) {
      setError(errorText(e));
    } finally {
      setLoading(false);
    }
  }, [range, granularity]);
  useEffect(() => {
    void load();
  }, [load]);

  const chart = useMemo(
    () =>
      series && {
        labels: series.series.map((p) => p.period),
        series: [
          { name: '结案率', color: '#1677ff', values: series.series.map((p) => p.rates.closureRate.percent) },
          { name: '按期处置率', color: '#52c41a', values: series.series.map((p) => p.rates.onTimeRate.percent) },
          { name: '返工率', color: '#fa541c', values: series.series.map((p) => p.rates.reworkRate.percent) },
        ],
      },
    [series],
  );

  const treeData = useMemo(() => trees && { categories: treeRows(trees.categories.items), areas: treeRows(trees.areas.items) }, [trees]);

  const exportXlsx = async () => {
    if (!summary || !series || !departments || !treeData) return;
    const period = `${summary.range.from} 至 ${summary.range.to}`;
    const overview: SheetData = [
      [
        { value: '指标', fontWeight: 'bold' },
        { value: '数值', fontWeight: 'bold' },
      ],
      ['统计中心', centreName],
      ['统计期间', period],
      ...COUNT_INDICATORS.map(([key, name]) => [name, summary.counts[key]]),
      ...RATE_INDICATORS.map(([key, name]) => [`${name}（%）`, summary.rates[key].percent]),
    ];
    const trend: SheetData = [
      ['期间', ...COUNT_INDICATORS.map(([, n]) => n), ...RATE_INDICATORS.map(([, n]) => `${n}（%）`)].map((v) => ({
        value: v,
        fontWeight: 'bold' as const,
      })),
      ...series.series.map((p) => [p.period, ...COUNT_INDICATORS.map(([k]) => p.counts[k]), ...RATE_INDICATORS.map(([k]) => p.rates[k].percent)]),
    ];
    const ranking: SheetData = [
      ['排名', '部门', '综合得分', '等级', '派遣数', '结案数', '结案率（%）', '按期处置率（%）', '返工率（%）'].map((v) => ({
        value: v,
        fontWeight: 'bold' as const,
      })),
      ...departments.items.map((d) => [
        d.rank,
        d.name,
        d.composite.score,
        d.composite.grade ?? '—',
        d.counts.dispatched,
        d.counts.closures,
        d.rates.closureRate.percent,
        d.rates.onTimeRate.percent,
        d.rates.reworkRate.percent,
      ]),
    ];
    // The trees fully expanded: the same rows and figures the tables show.
    const sheetOf = (rows: SheetCell[][]): SheetData =>
      rows.map((r, i) => (i === 0 ? r.map((v) => ({ value: v ?? '', fontWeight: 'bold' as const })) : r));
    try {
      await writeXlsxFile([
        { data: overview, sheet: '总体指标', columns: [{ width: 18 }, { width: 28 }] },
        { data: trend, sheet: '趋势', columns: [{ width: 12 }] },
        { data: ranking, sheet: '部门排名', columns: [{ width: 6 }, { width: 24 }] },
        { data: sheetOf(treeSheet(treeData.categories, '类别')), sheet: '类别统计', columns: [{ width: 6 }, { width: 28 }] },
        { data: sheetOf(treeSheet(treeData.areas, '区域')), sheet: '区域统计', columns: [{ width: 6 }, { width: 28 }] },
      ]).toFile(`城市管理统计-${summary.range.from}至${summary.range.to}.xlsx`);
    } catch (e) {
      void message.error(errorText(e));
    }
  };

  /** The public statistics dataset (anonymised cells) of the period, as open data in CSV. */
  const exportPublicCsv = async () => {
    const q = statsQuery(range);
    try {
      const text = String(await api.call('publicStatsExportCsv', { query: q }));
      saveCsv(text, `公开统计数据集-${q.from}至${q.to}.csv`);
    } catch (e) {
      void message.error(errorText(e));
    }
  };

  const treeColumns = [
    {
      title: treeKind === 'categories' ? '类别' : '区域',
      key: 'name',
      render: (_: unknown, r: StatsTreeRow) =>
        r.filters ? (
          <Typography.Link
            data-testid="stats-tree-drill"
            onClick={(e) => {
              e.stopPropagation();
              setDrill({ title: `${r.name} 的案件`, query: { ...statsQuery(range), ...r.filters! } });
            }}
          >
            {r.name}
          </Typography.Link>
        ) : (
          r.name
        ),
    },
    ...TREE_COUNT_COLUMNS.map(([k, title]) => ({
      title,
      key: k,
      width: 90,
      render: (_: unknown, r: StatsTreeRow) => <span data-cell={k}>{r.counts[k]}</span>,
    })),
    ...TREE_RATE_COLUMNS.map(([k, title]) => ({
      title,
      key: k,
      width: 110,
      render: (_: unknown, r: StatsTreeRow) => <span data-cell={k}>{ratePercentText(r.rates[k])}</span>,
    })),
  ];

  const reportMonth = range[0].format('YYYY-MM');
  return (
    <Card>
      <Space style={{ width: '100%', justifyContent: 'space-between' }} wrap>
        <Typography.Title level={4} style={{ margin: 0 }}>
          统计分析
        </Typography.Title>
        <Space wrap>
          <DatePicker.RangePicker
            picker="month"
            allowClear={false}
            value={range}
            onChange={(v) => v?.[0] && v[1] && setRange([v[0], v[1]])}
            data-testid="stats-range"
          />
          <Segmented
            value={granularity}
            onChange={(v) => setGranularity(v as Granularity)}
            options={[
              { value: 'day', label: '按日' },
              { value: 'week', label: '按周' },
              { value: 'month', label: '按月' },
            ]}
          />
          <Button icon={<DownloadOutlined />} onClick={() => void exportXlsx()} disabled={!summary} data-testid="stats-export">
            导出 Excel
          </Button>
          <Button icon={<FileTextOutlined />} onClick={() => void exportPublicCsv()} data-testid="stats-public-csv">
            公开数据集（CSV）
          </Button>
          <Button icon={<PrinterOutlined />} href={`/console/report?month=${reportMonth}`} target="_blank" data-testid="stats-print">
            打印月报
          </Button>
        </Space>
      </Space>
      {summary && (
        <Typography.Paragraph type="secondary" style={{ marginTop: 8 }}>
          {summary.range.from} 至 {summary.range.to}，按事件发生日统计（截至 {summary.asOf}）。点击超期数或部门可查看对应案件。
        </Typography.Paragraph>
      )}
      {error && <Alert type="error" showIcon message={error} style={{ marginBottom: 16 }} />}
      {summary && (
        <Row gutter={[16, 16]} data-testid="stats-summary">
          {COUNT_INDICATORS.map(([key, name]) => (
            <Col span={4} key={key}>
              <Card
                size="small"
                hoverable={key === 'overdue'}
                onClick={key === 'overdue' ? () => setDrill({ title: '超期案件', query: { ...statsQuery(range), overdue: 'true' } }) : undefined}
              >
                <Statistic
                  title={name}
                  value={summary.counts[key]}
                  loading={loading}
                  valueStyle={key === 'overdue' && summary.counts[key] ? { color: '#cf1322' } : undefined}
                />
                <span data-testid={`stat-${key}`} hidden>
                  {summary.counts[key]}
                </span>
              </Card>
            </Col>
          ))}
          {RATE_INDICATORS.map(([key, name]) => (
            <Col span={4} key={key}>
              <Card size="small">
                <Statistic title={name} value={percentText(summary.rates[key])} loading={loading} />
                <span data-testid={`stat-${key}`} hidden>
                  {percentText(summary.rates[key])}
                </span>
              </Card>
            </Col>
          ))}
        </Row>
      )}
      {chart && (
        <Card size="small" title="结案率、按期处置率、返工率趋势" style={{ marginTop: 16 }}>
          <LineChart labels={chart.labels} series={chart.series} testId="stats-trend" />
        </Card>
      )}
      {departments && (
        <Card size="small" title={`部门综合评价排名（共 ${departments.of} 个部门）`} style={{ marginTop: 16 }}>
          <Table<DepartmentRow>
            rowKey="departmentId"
            size="small"
            pagination={false}
            dataSource={departments.items}
            data-testid="stats-departments"
            onRow={(d) => ({
              onClick: () => setDrill({ title: `${d.name} 的案件`, query: { ...statsQuery(range), departmentId: d.departmentId } }),
              style: { cursor: 'pointer' },
            })}
            columns={[
              { title: '排名', dataIndex: 'rank', width: 60 },
              { title: '部门', dataIndex: 'name' },
              { title: '综合得分', key: 'score', render: (_: unknown, d: DepartmentRow) => d.composite.score ?? '—' },
              {
                title: '等级',
                key: 'grade',
                render: (_: unknown, d: DepartmentRow) => (d.composite.grade ? <Tag color="blue">{d.composite.grade}</Tag> : '—'),
              },
              { title: '派遣数', key: 'dispatched', render: (_: unknown, d: DepartmentRow) => d.counts.dispatched },
              { title: '结案数', key: 'closures', render: (_: unknown, d: DepartmentRow) => d.counts.closures },
              { title: '结案率', key: 'closureRate', render: (_: unknown, d: DepartmentRow) => percentText(d.rates.closureRate) },
              { title: '按期处置率', key: 'onTimeRate', render: (_: unknown, d: DepartmentRow) => percentText(d.rates.onTimeRate) },
              { title: '返工率', key: 'reworkRate', render: (_: unknown, d: DepartmentRow) => percentText(d.rates.reworkRate) },
            ]}
          />
        </Card>
      )}
      {treeData && (
        <Card size="small" title="分类与区域统计" style={{ marginTop: 16 }}>
          <Tabs
            activeKey={treeKind}
            onChange={(k) => setTreeKind(k as TreeKind)}
            data-testid="stats-tree-tabs"
            items={[
              { key: 'categories', label: '类别树（类型 → 大类 → 小类）' },
              { key: 'areas', label: '区域树（区县 → 街道 → 网格）' },
            ]}
          />
          <Table<StatsTreeRow>
            key={treeKind}
            rowKey="key"
            size="small"
            pagination={false}
            dataSource={treeData[treeKind]}
            data-testid={`stats-tree-${treeKind}`}
            locale={{ emptyText: '本期没有数据' }}
            columns={treeColumns}
          />
          <Typography.Text type="secondary">点击名称查看对应案件；展开行查看下级。</Typography.Text>
        </Card>
      )}
      {drill && <DrillDown title={drill.title} query={drill.query} onClose={() => setDrill(null)} />}
    </Card>
  );
}

type CaseItem = OperationOutput<'statsCases'>['items'][number];

/** The cases behind a figure (GET /stats/staff/cases with the same filters). */
function DrillDown({ title, query, onClose }: { title: string; query: Record<string, string>; onClose: () => void }) {
  const [items, setItems] = useState<CaseItem[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api
      .call('statsCases', { query: { ...query, limit: 100 } as never })
      .then((p) => setItems(p.items))
      .catch((e: unknown) => setError(errorText(e)));
  }, [query]);
  return (
    <Modal open title={title} footer={null} onCancel={onClose} width={900}>
      {error && <Alert type="error" showIcon message={error} />}
      <Table<CaseItem>
        rowKey="id"
        size="small"
        loading={!items && !error}
        dataSource={items ?? []}
        pagination={{ pageSize: 20, hideOnSinglePage: true }}
        data-testid="stats-drill"
        columns={[
          { title: '案件编号', dataIndex: 'caseNo' },
          { title: '类别', dataIndex: 'categoryName' },
          { title: '状态', key: 'state', render: (_: unknown, c: CaseItem) => STAFF_STATE_NAMES_ZH[c.state as CaseState] ?? c.state },
          { title: '时限', key: 'deadline', render: (_: unknown, c: CaseItem) => formatTime(c.deadline) },
          { title: '超期', key: 'overdue', render: (_: unknown, c: CaseItem) => (c.overdue ? <Tag color="red">超期</Tag> : '—') },
          { title: '上报时间', key: 'createdAt', render: (_: unknown, c: CaseItem) => formatTime(c.createdAt) },
        ]}
      />
    </Modal>
  );
}
