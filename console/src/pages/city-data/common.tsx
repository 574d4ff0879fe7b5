import { createContext, useContext, useEffect } from 'react';
import { Alert, Button, Space, Typography, type FormInstance } from 'antd';
import { ReloadOutlined, SaveOutlined } from '@ant-design/icons';
import { ApiRequestError } from '@ssp/shared';
import { forgetCatalogue } from '../../catalogue';
import { foreignProblems, type PathSegment } from '../../city-data';
import { formatTime } from '../../format';

/** One line of the problem summary: where (row, node, field) and what. */
export interface SummaryItem {
  where: string;
  message: string;
  /** Opens the place (the row's form, the tree node). */
  onOpen?: () => void;
}

/** What the last save said: the version it made, or why it was refused. */
export interface SaveOutcome {
  version?: number;
  savedAt?: string;
  /** The API's summary message of a refused save (400). */
  refused?: string;
  /** Someone else replaced the city data first (409). */
  conflict?: string;
  /** Anything else (network, 5xx, 403). */
  error?: string;
}

/** The outcome of a failed save call: a conflict, a refusal with details on the fields, or another error. */
export function failedSave(e: unknown): SaveOutcome {
  if (e instanceof ApiRequestError) {
    if (e.status === 409) return { conflict: e.message || '城市数据已被他人修改，请刷新后重试' };
    if (e.status === 400 || e.status === 422) return { refused: e.message };
    return { error: e.message };
  }
  return { error: e instanceof Error ? e.message : String(e) };
}

const PART_NAMES_ZH: Record<string, string> = { categories: '类别目录', departments: '处置部门' };

/**
 * The API's problems with another part than the one saved (a replacement is checked against
 * the rest: categories naming a removed department, departments listing a removed area or
 * category), each named by part and row.
 */
export function foreignSummary(
  e: unknown,
  own: string,
  rows: Partial<Record<'categories' | 'departments', { id: string; name: string }[]>> = {},
): SummaryItem[] {
  return foreignProblems(e, own, ['categories', 'departments']).map((p) => {
    const index = typeof p.path[0] === 'number' ? p.path[0] : -1;
    const row = rows[p.part as 'categories' | 'departments']?.[index];
    return {
      where: `${PART_NAMES_ZH[p.part]}${index >= 0 ? `第 ${index + 1} 行` : ''}${row ? `（${row.id} ${row.name}）` : ''}`,
      message: p.message,
    };
  });
}

/** Problems of the part itself (not of another part the API named). */
export function ownProblems<P extends { path: PathSegment[] }>(problems: P[]): P[] {
  return problems.filter((p) => p.path[0] !== 'categories' && p.path[0] !== 'departments');
}

/** Where an editor reports whether its part has unsaved changes (CityDataPage guards leaving the screen). */
export const UnsavedPartsContext = createContext<(part: string, dirty: boolean) => void>(() => undefined);

/**
 * Reports the part's unsaved changes to the page (which asks before the console navigates to
 * another screen) and asks before the browser leaves the page (reload, close, another site).
 */
export function useLeaveGuard(part: string, dirty: boolean): void {
  const report = useContext(UnsavedPartsContext);
  useEffect(() => {
    report(part, dirty);
    return () => report(part, false);
  }, [report, part, dirty]);
  useEffect(() => {
    if (!dirty) return;
    const warn = (event: BeforeUnloadEvent) => event.preventDefault();
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, [dirty]);
}

/** After a successful save: what the rest of the console reads must be read again. */
export function savedOutcome(version: number | undefined): SaveOutcome {
  forgetCatalogue();
  return { version, savedAt: new Date().toISOString() };
}

/** The header of an editor: title, unsaved mark, last saved version, reload and save. */
export function EditorBar(props: {
  title: string;
  testId: string;
  dirty: boolean;
  busy: boolean;
  outcome: SaveOutcome;
  count: string;
  /** The version of the data being edited (as read or last saved). */
  version?: number | null;
  onSave: () => void;
  onReload: () => void;
  extra?: React.ReactNode;
}) {
  const { outcome } = props;
  useLeaveGuard(props.title, props.dirty);
  return (
    <>
      <Space style={{ width: '100%', justifyContent: 'space-between' }} wrap>
        <Space size="middle">
          <Typography.Title level={5} style={{ margin: 0 }}>
            {props.title}
          </Typography.Title>
          <Typography.Text type="secondary">{props.count}</Typography.Text>
          {props.version !== undefined && props.version !== null && (
            <Typography.Text type="secondary" data-testid={`${props.testId}-version`}>
              第 {props.version} 版
            </Typography.Text>
          )}
          {props.dirty ? (
            <Typography.Text type="warning" data-testid={`${props.testId}-dirty`}>
              有未保存的修改
            </Typography.Text>
          ) : outcome.savedAt ? (
            <Typography.Text type="success" data-testid={`${props.testId}-saved`}>
              已保存{outcome.version !== undefined ? `为城市数据第 ${outcome.version} 版` : ''}（{formatTime(outcome.savedAt)}）
            </Typography.Text>
          ) : null}
        </Space>
        <Space>
          {props.extra}
          <Button icon={<ReloadOutlined />} onClick={props.onReload} disabled={props.busy}>
            重新加载
          </Button>
          <Button type="primary" icon={<SaveOutlined />} loading={props.busy} onClick={props.onSave} data-testid={`${props.testId}-save`}>
            保存
          </Button>
        </Space>
      </Space>
      {outcome.conflict && (
        <Alert
          style={{ marginTop: 12 }}
          type="warning"
          showIcon
          data-testid={`${props.testId}-conflict`}
          message={`保存未生效：${outcome.conflict}`}
          description="在您编辑期间，其他管理员已替换了城市数据。请点击「重新加载」查看最新数据后再修改（您的修改不会自动合并）。"
          action={
            <Button size="small" onClick={props.onReload}>
              重新加载
            </Button>
          }
        />
      )}
      {outcome.error && <Alert style={{ marginTop: 12 }} type="error" showIcon message={outcome.error} />}
    </>
  );
}

/** The list of problems, each naming its place; a click opens it. */
export function ProblemSummary({ items, refused, testId }: { items: SummaryItem[]; refused?: string; testId: string }) {
  if (!items.length && !refused) return null;
  const shown = items.slice(0, 20);
  return (
    <Alert
      style={{ marginTop: 12 }}
      type="error"
      showIcon
      data-testid={`${testId}-problems`}
      message={
        refused
          ? items.length
            ? `服务器未接受，有 ${items.length} 处需要修改`
            : `服务器未接受：${refused}`
          : `有 ${items.length} 处需要修改，未发送`
      }
      description={
        <ul style={{ margin: 0, paddingLeft: 18 }}>
          {shown.map((item, i) => (
            <li key={i}>
              {item.onOpen ? (
                <Typography.Link onClick={item.onOpen}>{item.where}</Typography.Link>
              ) : (
                <Typography.Text strong>{item.where}</Typography.Text>
              )}
              ：{item.message}
            </li>
          ))}
          {items.length > shown.length && <li>另有 {items.length - shown.length} 处</li>}
        </ul>
      }
    />
  );
}

/** A table cell's content with its problems under it (red). */
export function Cell({ messages, children, testId }: { messages: string[]; children: React.ReactNode; testId?: string }) {
  if (!messages.length) return <>{children}</>;
  return (
    <div style={{ background: '#fff2f0', border: '1px solid #ffccc7', borderRadius: 4, padding: '2px 6px' }} data-testid={testId}>
      <div>{children}</div>
      {messages.map((m, i) => (
        <Typography.Text key={i} type="danger" style={{ display: 'block', fontSize: 12 }} data-testid="cell-problem">
          {m}
        </Typography.Text>
      ))}
    </div>
  );
}

/** Sets (or clears) the errors of fields named by path (antd's typed names do not take computed paths). */
export function setFieldErrors(form: FormInstance, fields: { name: string | PathSegment[]; errors: string[] }[]): void {
  form.setFields(fields);
}
