import { CST_OFFSET_MS, type AdminCampaign, type CreateCampaignInput } from '@ssp/shared';

/**
 * The publicity editor's form ↔ the campaign API. Times are entered as Beijing date and
 * time; the body is written as plain paragraphs and sent as simple HTML.
 */
export interface CampaignForm {
  title: string;
  summary: string;
  bodyText: string;
  coverPhotoId: string | null;
  coverThumbUrl: string | null;
  /** Starts when saved (new campaigns default to this: fewest taps for a drive that starts today). */
  startNow: boolean;
  startDate: string;
  startTime: string;
  endDate: string;
  endTime: string;
  targetCategoryIds: string[];
  targetAreaIds: string[];
  multiplier: string;
  participationGoal: string;
}

function cstDate(d: Date): { date: string; time: string } {
  const s = new Date(d.getTime() + CST_OFFSET_MS).toISOString();
  return { date: s.slice(0, 10), time: s.slice(11, 16) };
}

/** A new campaign: starts tomorrow 09:00, runs two weeks, double points. */
export function emptyCampaignForm(now = new Date()): CampaignForm {
  const start = cstDate(new Date(now.getTime() + 86_400_000));
  const end = cstDate(new Date(now.getTime() + 15 * 86_400_000));
  return {
    title: '',
    summary: '',
    bodyText: '',
    coverPhotoId: null,
    coverThumbUrl: null,
    startNow: true,
    startDate: start.date,
    startTime: '09:00',
    endDate: end.date,
    endTime: '18:00',
    targetCategoryIds: [],
    targetAreaIds: [],
    multiplier: '2',
    participationGoal: '',
  };
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Paragraphs separated by blank lines → <p>…</p>, single line breaks → <br>. */
export function bodyFromText(text: string): string {
  return text
    .trim()
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter(Boolean)
    .map((p) => `<p>${escapeHtml(p).replace(/\n/g, '<br>')}</p>`)
    .join('');
}

/** The stored HTML back into editable paragraphs (tags dropped). */
export function textFromBody(html: string): string {
  return html
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/p>\s*<p[^>]*>/gi, '\n\n')
    .replace(/<[^>]+>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&nbsp;/g, ' ')
    .replace(/&amp;/g, '&')
    .trim();
}

export function toIso(date: string, time: string): string {
  return `${date}T${time}:00+08:00`;
}

/** `now` as Beijing time with its offset, to the second. */
export function isoNowCst(now: Date): string {
  return `${new Date(now.getTime() + CST_OFFSET_MS).toISOString().slice(0, 19)}+08:00`;
}

const sameValue = (key: string, a: unknown, b: unknown) =>
  key === 'startAt' || key === 'endAt' ? Date.parse(String(a)) === Date.parse(String(b)) : JSON.stringify(a) === JSON.stringify(b);

/**
 * Only the fields the editor changed, so that saving a live campaign never touches the
 * fields the API locks while it runs (start, multiplier, targets).
 */
export function campaignPatch(before: CreateCampaignInput, after: CreateCampaignInput): Partial<CreateCampaignInput> {
  const patch: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(after)) {
    if (!sameValue(key, (before as Record<string, unknown>)[key], value)) patch[key] = value;
  }
  return patch as Partial<CreateCampaignInput>;
}

export function formFromCampaign(c: AdminCampaign): CampaignForm {
  const start = cstDate(new Date(c.startAt));
  const end = cstDate(new Date(c.endAt));
  return {
    title: c.title,
    summary: c.summary,
    bodyText: textFromBody(c.body),
    coverPhotoId: c.coverPhotoId,
    coverThumbUrl: c.cover?.thumbUrl ?? null,
    startNow: false,
    startDate: start.date,
    startTime: start.time,
    endDate: end.date,
    endTime: end.time,
    targetCategoryIds: [...c.targetCategoryIds],
    targetAreaIds: [...c.targetAreaIds],
    multiplier: String(c.multiplier),
    participationGoal: c.participationGoal === null ? '' : String(c.participationGoal),
  };
}

export type CampaignFormResult = { ok: true; input: CreateCampaignInput } | { ok: false; message: string };

/** Checks what the editor can check itself; the API checks the rest (multiplier range, ids). */
export function campaignInputFromForm(f: CampaignForm, now: Date = new Date()): CampaignFormResult {
  if (!f.title.trim()) return { ok: false, message: '请填写活动标题' };
  if (f.title.trim().length > 40) return { ok: false, message: '标题最多 40 个字' };
  if (f.summary.trim().length > 120) return { ok: false, message: '摘要最多 120 个字' };
  const startAt = f.startNow ? isoNowCst(now) : toIso(f.startDate, f.startTime);
  const endAt = toIso(f.endDate, f.endTime);
  if (Number.isNaN(Date.parse(startAt)) || Number.isNaN(Date.parse(endAt))) return { ok: false, message: '请选择活动时间' };
  if (Date.parse(endAt) <= Date.parse(startAt)) return { ok: false, message: '结束时间必须晚于开始时间' };
  const multiplier = Number(f.multiplier);
  if (!f.multiplier.trim() || !Number.isFinite(multiplier) || multiplier <= 0) return { ok: false, message: '请填写积分倍数' };
  let participationGoal: number | null = null;
  if (f.participationGoal.trim()) {
    participationGoal = Number(f.participationGoal);
    if (!Number.isInteger(participationGoal) || participationGoal < 1) return { ok: false, message: '参与目标须为正整数' };
  }
  return {
    ok: true,
    input: {
      title: f.title.trim(),
      summary: f.summary.trim(),
      body: bodyFromText(f.bodyText),
      coverPhotoId: f.coverPhotoId,
      startAt,
      endAt,
      targetCategoryIds: f.targetCategoryIds,
      targetAreaIds: f.targetAreaIds,
      multiplier,
      participationGoal,
    },
  };
}

export function toggle(list: string[], id: string): string[] {
  return list.includes(id) ? list.filter((x) => x !== id) : [...list, id];
}
