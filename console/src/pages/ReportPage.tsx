import { useEffect, useState } from 'react';
import { Alert, Button, Spin } from 'antd';
import { PrinterOutlined } from '@ant-design/icons';
import dayjs from 'dayjs';
import { useSearchParams } from 'react-router-dom';
import type { OperationOutput } from '@ssp/shared';
import { COUNT_INDICATORS, RATE_INDICATORS, percentText, statsQuery } from './StatsPage';
import { api, errorText } from '../session';

/** The centre that issues the report, named after the city (城市管理监督指挥中心). */
export const centreNameOf = (cityName: string) => `${cityName}城市管理监督指挥中心`;

const PRINT_CSS = `
@page { size: A4; margin: 16mm 14mm; }
.report { width: 182mm; margin: 0 auto; padding: 8mm 0; font-family: "SimSun", "Songti SC", serif; color: #000; background: #fff; }
.report h1 { font-size: 22pt; text-align: center; margin: 0 0 4mm; letter-spacing: 1pt; }
.report h2 { font-size: 14pt; margin: 6mm 0 2mm; }
.report .centre { text-align: center; font-size: 13pt; margin-bottom: 2mm; }
.report .meta { text-align: center; font-size: 10.5pt; margin-bottom: 6mm; }
.report table { width: 100%; border-collapse: collapse; font-size: 10.5pt; }
.report th, .report td { border: 1px solid #000; padding: 1.6mm 2mm; text-align: center; }
.report .note { font-size: 9pt; margin-top: 6mm; }
.report-toolbar { text-align: center; padding: 12px; }
@media print { .report-toolbar { display: none; } body { background: #fff; } }
`;

type Summary = OperationOutput<'staffStatsSummary'>;
type Departments = OperationOutput<'staffStatsDepartments'>;

/** 月报: the month's standard indicators and department ranking on A4, for printing or saving as PDF. */
export function ReportPage() {
  const [params] = useSearchParams();
  const month = /^\d{4}-\d{2}$/.test(params.get('month') ?? '') ? params.get('month')! : dayjs().format('YYYY-MM');
  const [data, setData] = useState<{ centre: string; summary: Summary; departments: Departments } | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const m = dayjs(`${month}-01`);
    const q = statsQuery([m, m]);
    Promise.all([api.call('getCity'), api.call('staffStatsSummary', { query: q }), api.call('staffStatsDepartments', { query: q })])
      .then(([city, summary, departments]) => setData({ centre: centreNameOf(city.name), summary, departments }))
      .catch((e: unknown) => setError(errorText(e)));
  }, [month]);

  if (error) return <Alert type="error" showIcon message={error} style={{ margin: 24 }} />;
  if (!data) return <Spin style={{ display: 'block', margin: 48 }} />;
  const { centre, summary, departments } = data;
  const [y, m] = month.split('-');
  return (
    <div>
      <style>{PRINT_CSS}</style>
      <div className="report-toolbar">
        <Button type="primary" icon={<PrinterOutlined />} onClick={() => window.print()}>
          打印 / 另存为 PDF
        </Button>
      </div>
      <div className="report" data-testid="monthly-report">
        <div className="centre">{centre}</div>
        <h1>
          城市管理问题处置情况月报（{y}年{Number(m)}月）
        </h1>
        <div className="meta">
          统计期间：{summary.range.from} 至 {summary.range.to}
          <span style={{ marginLeft: '8mm' }}>数据截至：{summary.asOf}</span>
        </div>
        <h2>一、主要指标</h2>
        <table>
          <thead>
            <tr>
              {COUNT_INDICATORS.map(([, n]) => (
                <th key={n}>{n}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            <tr>
              {COUNT_INDICATORS.map(([k]) => (
                <td key={k} data-testid={`report-${k}`}>
                  {summary.counts[k]}
                </td>
              ))}
            </tr>
          </tbody>
        </table>
        <table style={{ marginTop: '3mm' }}>
          <thead>
            <tr>
              {RATE_INDICATORS.map(([, n]) => (
                <th key={n}>{n}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            <tr>
              {RATE_INDICATORS.map(([k]) => (
                <td key={k} data-testid={`report-${k}`}>
                  {percentText(summary.rates[k])}
                </td>
              ))}
            </tr>
          </tbody>
        </table>
        <h2>二、处置部门综合评价</h2>
        <table>
          <thead>
            <tr>
              <th>排名</th>
              <th>部门</th>
              <th>综合得分</th>
              <th>等级</th>
              <th>结案率</th>
              <th>按期处置率</th>
              <th>返工率</th>
            </tr>
          </thead>
          <tbody>
            {departments.items.length === 0 && (
              <tr>
                <td colSpan={7}>本月无派遣案件</td>
              </tr>
            )}
            {departments.items.map((d) => (
              <tr key={d.departmentId}>
                <td>{d.rank}</td>
                <td>{d.name}</td>
                <td>{d.composite.score ?? '—'}</td>
                <td>{d.composite.grade ?? '—'}</td>
                <td>{percentText(d.rates.closureRate)}</td>
                <td>{percentText(d.rates.onTimeRate)}</td>
                <td>{percentText(d.rates.reworkRate)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <div className="note">
          注：按事件发生日统计；结案率 = 已结案数 ÷ 应结案数，按期处置率 = 按期结案数 ÷ 应结案数（处置时限按工作日历计算），返工率 = 返工次数 ÷
          应结案数。本报告由数字城管系统生成。
        </div>
      </div>
    </div>
  );
}
