import { useCallback, useEffect, useState } from 'react';
import { App, Button, Calendar as MonthView, Card, Col, DatePicker, Form, Input, Row, Select, Space, Tag, Tooltip, Typography } from 'antd';
import { MinusCircleOutlined, PlusOutlined } from '@ant-design/icons';
import dayjs, { type Dayjs } from 'dayjs';
import { calendarSchema, safeParseCityData, type Calendar } from '@ssp/shared';
import {
  addDate,
  apiCityProblems,
  calendarYears,
  datesOfYear,
  formFieldErrors,
  schemaCityProblems,
  type PathSegment,
  type Problem,
} from '../../city-data';
import { api } from '../../session';
import { EditorBar, ProblemSummary, failedSave, savedOutcome, setFieldErrors, type SaveOutcome, type SummaryItem } from './common';

type DayList = 'holidays' | 'extraWorkdays';
const LIST_NAMES: Record<DayList, string> = { holidays: '节假日', extraWorkdays: '调休上班日' };
interface DayProblem {
  list: DayList;
  date: string;
  message: string;
}
interface Values {
  workingHours: { start: string; end: string }[];
  notes?: string;
}

/** 工作日历: working hours, holidays and adjusted working days (调休) deadlines are counted in (PUT /admin/calendar). */
export function CalendarEditor() {
  const { message } = App.useApp();
  const [days, setDays] = useState<Record<DayList, string[]> | null>(null);
  const [year, setYear] = useState(dayjs().year());
  const [picked, setPicked] = useState<Dayjs | null>(null);
  const [version, setVersion] = useState<number | null>(null);
  const [dirty, setDirty] = useState(false);
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<SaveOutcome>({});
  const [dayProblems, setDayProblems] = useState<DayProblem[]>([]);
  const [general, setGeneral] = useState<SummaryItem[]>([]);
  const [form] = Form.useForm<Values>();

  const show = useCallback(
    (calendar: Calendar) => {
      setDays({ holidays: [...calendar.holidays].sort(), extraWorkdays: [...calendar.extraWorkdays].sort() });
      form.setFieldsValue({ workingHours: calendar.workingHours, notes: calendar.notes ?? '' });
    },
    [form],
  );

  const load = useCallback(async () => {
    try {
      const data = await api.call('getCalendar');
      show(data.calendar);
      setVersion(data.version);
      setDirty(false);
      setDayProblems([]);
      setGeneral([]);
      setOutcome({});
      setFieldErrors(form, [{ name: 'notes', errors: [] }]);
    } catch (e) {
      setOutcome(failedSave(e));
    }
  }, [form, show]);
  useEffect(() => {
    void load();
  }, [load]);

  const mark = (list: DayList) => {
    if (!days || !picked) return;
    const date = picked.format('YYYY-MM-DD');
    const other: DayList = list === 'holidays' ? 'extraWorkdays' : 'holidays';
    // A day is one or the other: marking it moves it.
    setDays({ ...days, [list]: addDate(days[list], date), [other]: days[other].filter((d) => d !== date) } as Record<DayList, string[]>);
    setYear(picked.year());
    setDirty(true);
  };
  const unmark = (list: DayList, date: string) => {
    if (!days) return;
    setDays({ ...days, [list]: days[list].filter((d) => d !== date) });
    setDayProblems((ps) => ps.filter((p) => !(p.list === list && p.date === date)));
    setDirty(true);
  };

  const body = (): unknown => {
    const v = form.getFieldsValue(true) as Values;
    return {
      timezone: 'Asia/Shanghai',
      workingHours: (v.workingHours ?? []).map((p) => ({ start: (p?.start ?? '').trim(), end: (p?.end ?? '').trim() })),
      holidays: days?.holidays ?? [],
      extraWorkdays: days?.extraWorkdays ?? [],
      ...(v.notes?.trim() ? { notes: v.notes } : {}),
    };
  };

  /** Puts problems on the working-hours and notes fields, on the listed dates, and the rest in the summary. */
  const place = (problems: Problem[], sent: { holidays: string[]; extraWorkdays: string[] }) => {
    const periods = (form.getFieldValue('workingHours') as unknown[] | undefined)?.length ?? 0;
    const fields: PathSegment[][] = [['notes'], ['workingHours']];
    for (let i = 0; i < periods; i += 1) fields.push(['workingHours', i, 'start'], ['workingHours', i, 'end']);
    const onDays: DayProblem[] = [];
    const rest: Problem[] = [];
    for (const p of problems) {
      const [list, index] = p.path;
      if ((list === 'holidays' || list === 'extraWorkdays') && typeof index === 'number' && sent[list][index] !== undefined)
        onDays.push({ list, date: sent[list][index], message: p.message });
      else rest.push(p);
    }
    const { fields: errors, unplaced } = formFieldErrors(rest, fields);
    setFieldErrors(form, errors);
    setDayProblems(onDays);
    const where = (path: PathSegment[]) =>
      path[0] === 'workingHours'
        ? `工作时段${typeof path[1] === 'number' ? ` 第 ${path[1] + 1} 段` : ''}`
        : path[0] === 'notes'
          ? '说明'
          : '工作日历';
    setGeneral([
      ...rest.filter((p) => !unplaced.includes(p.message)).map((p) => ({ where: where(p.path), message: p.message })),
      ...unplaced.map((m) => ({ where: '工作日历', message: m })),
      ...onDays.map((p) => ({ where: `${LIST_NAMES[p.list]} ${p.date}`, message: p.message, onOpen: () => setYear(Number(p.date.slice(0, 4))) })),
    ]);
  };

  const save = async () => {
    if (!days) return;
    const input = body();
    const sent = { holidays: days.holidays, extraWorkdays: days.extraWorkdays };
    const parsed = safeParseCityData(calendarSchema, input);
    if (!parsed.success) {
      place(schemaCityProblems(parsed.error), sent);
      setOutcome({});
      return;
    }
    setBusy(true);
    try {
      const result = await api.call('replaceCalendar', { query: { baseVersion: version === null ? undefined : String(version) }, body: parsed.data });
      place([], sent);
      setDirty(false);
      show(result.calendar);
      setVersion(result.version);
      setOutcome(savedOutcome(result.version));
      void message.success('工作日历已保存');
    } catch (e) {
      place(apiCityProblems(e), sent);
      setOutcome(failedSave(e));
    } finally {
      setBusy(false);
    }
  };

  const dayTag = (list: DayList, date: string) => {
    const problems = dayProblems.filter((p) => p.list === list && p.date === date);
    const tag = (
      <Tag
        key={date}
        closable
        color={problems.length ? 'error' : list === 'holidays' ? 'red' : 'blue'}
        onClose={(e) => {
          e.preventDefault();
          unmark(list, date);
        }}
        data-testid={`${list === 'holidays' ? 'holiday' : 'workday'}-${date}`}
        style={{ marginBottom: 6 }}
      >
        {date.slice(5)} {['日', '一', '二', '三', '四', '五', '六'][dayjs(date).day()]}
      </Tag>
    );
    return problems.length ? (
      <Tooltip key={date} title={problems.map((p) => p.message).join('；')} open>
        {tag}
      </Tooltip>
    ) : (
      tag
    );
  };
  const years = calendarYears([days?.holidays ?? [], days?.extraWorkdays ?? []], dayjs().year());

  return (
    <>
      <EditorBar
        title="工作日历"
        testId="calendar"
        count={days ? `共 ${days.holidays.length} 个节假日，${days.extraWorkdays.length} 个调休上班日` : ''}
        version={version}
        dirty={dirty}
        busy={busy}
        outcome={outcome}
        onSave={() => void save()}
        onReload={() => void load()}
      />
      <ProblemSummary items={general} refused={outcome.refused} testId="calendar" />
      <Row gutter={16} style={{ marginTop: 12 }}>
        <Col span={10}>
          <Card size="small" title="工作时段（Asia/Shanghai）">
            <Form form={form} layout="vertical" onValuesChange={() => setDirty(true)}>
              <Form.List name="workingHours">
                {(fields, { add, remove }) => (
                  <>
                    {fields.map((field) => (
                      <Space key={field.key} align="baseline">
                        <Form.Item name={[field.name, 'start']} label={field.name === 0 ? '开始' : undefined}>
                          <Input placeholder="08:30" style={{ width: 110 }} data-testid={`hours-start-${field.name}`} />
                        </Form.Item>
                        <Form.Item name={[field.name, 'end']} label={field.name === 0 ? '结束' : undefined}>
                          <Input placeholder="12:00" style={{ width: 110 }} data-testid={`hours-end-${field.name}`} />
                        </Form.Item>
                        <MinusCircleOutlined onClick={() => remove(field.name)} />
                      </Space>
                    ))}
                    <Form.Item>
                      <Button type="dashed" icon={<PlusOutlined />} onClick={() => add({ start: '', end: '' })}>
                        添加工作时段
                      </Button>
                    </Form.Item>
                  </>
                )}
              </Form.List>
              <Form.Item name="notes" label="说明（日期来源、待核实事项）">
                <Input.TextArea rows={3} maxLength={2000} />
              </Form.Item>
            </Form>
          </Card>
        </Col>
        <Col span={14}>
          <Card
            size="small"
            title="节假日与调休"
            extra={
              <Select
                value={year}
                style={{ width: 110 }}
                onChange={setYear}
                data-testid="calendar-year"
                options={[...new Set([...years, year, dayjs().year() + 1])].sort().map((y) => ({ value: y, label: `${y} 年` }))}
              />
            }
          >
            <Space wrap>
              <DatePicker value={picked} onChange={(d) => setPicked(d)} placeholder="选择日期" data-testid="calendar-date" />
              <Button onClick={() => mark('holidays')} disabled={!picked} data-testid="calendar-add-holiday">
                设为节假日
              </Button>
              <Button onClick={() => mark('extraWorkdays')} disabled={!picked} data-testid="calendar-add-workday">
                设为调休上班日
              </Button>
            </Space>
            <div style={{ marginTop: 12 }}>
              <Typography.Text strong>{year} 年节假日</Typography.Text>
              <div style={{ marginTop: 6 }} data-testid="calendar-holidays">
                {days && datesOfYear(days.holidays, year).map((d) => dayTag('holidays', d))}
                {days && !datesOfYear(days.holidays, year).length && <Typography.Text type="secondary">无</Typography.Text>}
              </div>
            </div>
            <div style={{ marginTop: 8 }}>
              <Typography.Text strong>{year} 年调休上班日</Typography.Text>
              <div style={{ marginTop: 6 }} data-testid="calendar-workdays">
                {days && datesOfYear(days.extraWorkdays, year).map((d) => dayTag('extraWorkdays', d))}
                {days && !datesOfYear(days.extraWorkdays, year).length && <Typography.Text type="secondary">无</Typography.Text>}
              </div>
            </div>
            <MonthView
              fullscreen={false}
              style={{ marginTop: 8 }}
              value={picked ?? dayjs(`${year}-01-01`)}
              onSelect={(d, info) => {
                if (info.source === 'date') setPicked(d);
                if (d.year() !== year) setYear(d.year());
              }}
              fullCellRender={(d, info) => {
                if (info.type !== 'date' || !days) return info.originNode;
                const date = d.format('YYYY-MM-DD');
                const off = days.holidays.includes(date);
                const on = days.extraWorkdays.includes(date);
                return (
                  <div
                    className="ant-picker-cell-inner"
                    style={off ? { background: '#fff1f0', color: '#cf1322' } : on ? { background: '#e6f4ff', color: '#0958d9' } : undefined}
                  >
                    {d.date()}
                    {(off || on) && <sup style={{ fontSize: 9 }}>{off ? '休' : '班'}</sup>}
                  </div>
                );
              }}
            />
          </Card>
        </Col>
      </Row>
    </>
  );
}
