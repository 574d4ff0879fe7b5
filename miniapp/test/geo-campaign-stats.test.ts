import { addMonths, createCampaignSchema, type AdminCampaign, type StatsDepartmentRow, type StatsNode, type StatsSummary } from '@ssp/shared';
import {
  bodyFromText,
  campaignInputFromForm,
  campaignPatch,
  emptyCampaignForm,
  formFromCampaign,
  isoNowCst,
  textFromBody,
  toggle,
} from '../src/logic/campaign-form';
import { nudge, parseCoordinate } from '../src/logic/geo';
import { newClientRequestId } from '../src/logic/ids';
import { currentMonth, departmentRanking, headline, lastMonths, percentText, topCategories } from '../src/logic/stats';

describe('coordinates', () => {
  it('nudges by metres and parses typed coordinates', () => {
    const p = nudge({ lat: 28.7, lng: 115.8 }, 100, 0);
    expect(p.lat).toBeCloseTo(28.7009, 4);
    expect(p.lng).toBe(115.8);
    expect(parseCoordinate(' 28.70 ', 'lat')).toBe(28.7);
    expect(parseCoordinate('91', 'lat')).toBeNull();
    expect(parseCoordinate('abc', 'lng')).toBeNull();
  });

  it('makes clientRequestIds the API accepts', () => {
    const id = newClientRequestId(1_700_000_000_000, () => 0.5);
    expect(id).toMatch(/^[A-Za-z0-9_-]{8,64}$/);
    expect(id).toHaveLength(20);
  });
});

describe('campaign editor form', () => {
  const now = new Date('2026-11-23T02:00:00Z');

  it('turns the form into an input the API schema accepts, starting now by default', () => {
    const form = { ...emptyCampaignForm(now), title: '创文明城市', bodyText: '第一段\n\n第二段<script>', targetCategoryIds: ['E0201'] };
    const built = campaignInputFromForm(form, now);
    if (!built.ok) throw new Error(built.message);
    expect(built.input.startAt).toBe('2026-11-23T10:00:00+08:00');
    expect(built.input.endAt).toBe('2026-12-08T18:00:00+08:00');
    expect(built.input.body).toBe('<p>第一段</p><p>第二段&lt;script&gt;</p>');
    expect(built.input.multiplier).toBe(2);
    expect(createCampaignSchema.safeParse(built.input).success).toBe(true);
  });

  it('checks what the editor can', () => {
    const base = { ...emptyCampaignForm(now), title: 't' };
    expect(campaignInputFromForm({ ...base, title: ' ' }, now)).toEqual({ ok: false, message: '请填写活动标题' });
    expect(campaignInputFromForm({ ...base, startNow: false, startDate: '2026-12-10', endDate: '2026-12-01' }, now)).toEqual({
      ok: false,
      message: '结束时间必须晚于开始时间',
    });
    expect(campaignInputFromForm({ ...base, participationGoal: '1.5' }, now)).toEqual({ ok: false, message: '参与目标须为正整数' });
  });

  it('round-trips a stored campaign and sends only what changed', () => {
    const stored = {
      id: 'c1',
      version: 2,
      status: 'live',
      title: '活动',
      summary: '',
      body: '<p>一</p><p>二<br>三 &amp; 四</p>',
      coverPhotoId: null,
      cover: null,
      startAt: '2026-11-20T01:00:00.000Z',
      endAt: '2026-12-01T10:00:00.000Z',
      endedAt: null,
      published: true,
      targetCategoryIds: ['E0201'],
      targetAreaIds: [],
      multiplier: 2,
      participationGoal: null,
      createdBy: { id: 's', name: 'n' },
      createdAt: '',
      updatedAt: '',
      changes: [],
    } as AdminCampaign;
    const form = formFromCampaign(stored);
    expect(form).toMatchObject({
      startNow: false,
      startDate: '2026-11-20',
      startTime: '09:00',
      endDate: '2026-12-01',
      endTime: '18:00',
      bodyText: '一\n\n二\n三 & 四',
    });
    const before = campaignInputFromForm(form, now);
    const after = campaignInputFromForm({ ...form, summary: '新的摘要' }, now);
    if (!before.ok || !after.ok) throw new Error('invalid');
    expect(campaignPatch(before.input, after.input)).toEqual({ summary: '新的摘要' });
    expect(textFromBody(bodyFromText('a\nb\n\nc'))).toBe('a\nb\n\nc');
    expect(toggle(['a'], 'b')).toEqual(['a', 'b']);
    expect(toggle(['a', 'b'], 'a')).toEqual(['b']);
    expect(isoNowCst(now)).toBe('2026-11-23T10:00:00+08:00');
  });
});

describe('public statistics', () => {
  const rate = (percent: number | null) => ({ ratio: percent === null ? null : percent / 100, percent });
  const figures = (reported: number, closures: number, onTime: number | null, closure: number | null = null) => ({
    counts: { reported, closures } as StatsSummary['counts'],
    rates: { onTimeRate: rate(onTime), closureRate: rate(closure) } as StatsSummary['rates'],
    durations: { count: 0, meanHours: null, medianHours: null, p90Hours: null },
  });

  it('uses Beijing months', () => {
    expect(currentMonth(new Date('2026-11-30T17:00:00Z'))).toBe('2026-12');
    expect(addMonths('2026-01', -1)).toBe('2025-12');
    expect(lastMonths(12, new Date('2026-11-23T00:00:00Z'))).toEqual({ from: '2025-12', to: '2026-11' });
  });

  it('headline: this month, falling back to the year for the on-time rate', () => {
    const month = figures(12, 9, null) as StatsSummary;
    const year = figures(300, 280, 96.25) as StatsSummary;
    expect(headline(month, year)).toEqual({ closedThisMonth: 9, reportedThisMonth: 12, onTimeText: '96.3%', onTimeLabel: '近一年按期处置率' });
    expect(headline(figures(1, 1, 100) as StatsSummary, year).onTimeLabel).toBe('本月按期处置率');
    expect(percentText(rate(null))).toBe('—');
  });

  it('ranks categories by reports and departments by composite score', () => {
    const node = (id: string, level: StatsNode['level'], reported: number, children?: StatsNode[]): StatsNode => ({
      id,
      name: id,
      level,
      children,
      ...figures(reported, 0, null, 50),
    });
    const tree = [
      node('event', 'family', 9, [
        node('01', 'major', 9, [node('E0102', 'category', 3), node('E0103', 'category', 6), node('E0104', 'category', 0)]),
      ]),
    ];
    expect(topCategories(tree).map((r) => r.key)).toEqual(['E0103', 'E0102']);
    const dept = (id: string, rank: number, score: number | null) =>
      ({
        departmentId: id,
        name: id,
        rank,
        composite: { score, grade: score === null ? null : 'A' },
        ...figures(1, 1, 90),
      }) as unknown as StatsDepartmentRow;
    expect(departmentRanking([dept('b', 2, 80), dept('a', 1, 95.5), dept('c', 3, null)]).map((r) => [r.key, r.display])).toEqual([
      ['a', '95.5 A'],
      ['b', '80.0 A'],
      ['c', '—'],
    ]);
  });
});
