import type { PublicCategory } from '@ssp/shared';

/**
 * The category picker: search as you type over a list cached on the device (no round
 * trip per keystroke on a weak network), most useful first. The API returns categories
 * most popular first; campaign targets and the citizen's recent picks go before that.
 */
export type PickerCategory = Pick<PublicCategory, 'id' | 'code' | 'name' | 'majorName' | 'family' | 'keywords'>;

function words(query: string): string[] {
  return query
    .trim()
    .toLowerCase()
    .split(/[\s,，、]+/)
    .filter(Boolean);
}

function haystack(c: PickerCategory): string {
  return [c.name, c.majorName, c.code, c.id, ...(c.keywords ?? [])].join(' ').toLowerCase();
}

/** Rank of one match: the name itself beats a keyword, a keyword beats the major category. */
function score(c: PickerCategory, ws: string[]): number {
  const name = c.name.toLowerCase();
  let s = 0;
  for (const w of ws) {
    if (name === w) s += 100;
    else if (name.startsWith(w)) s += 60;
    else if (name.includes(w)) s += 40;
    else if ((c.keywords ?? []).some((k) => k.toLowerCase().includes(w))) s += 20;
    else s += 5;
  }
  return s;
}

/** Every word must match somewhere; better matches first, ties keep the given (popularity) order. */
export function searchCategories<C extends PickerCategory>(list: readonly C[], query: string): C[] {
  const ws = words(query);
  if (!ws.length) return [...list];
  return list
    .map((c, index) => ({ c, index, text: haystack(c) }))
    .filter(({ text }) => ws.every((w) => text.includes(w)))
    .map((x) => ({ ...x, s: score(x.c, ws) }))
    .sort((a, b) => b.s - a.s || a.index - b.index)
    .map((x) => x.c);
}

/** Campaign targets first, then recent picks (most recent first), then the rest in popularity order. */
export function orderForPicker<C extends PickerCategory>(list: readonly C[], opts: { recentIds?: string[]; campaignIds?: string[] } = {}): C[] {
  const rank = new Map<string, number>();
  (opts.campaignIds ?? []).forEach((id, i) => rank.set(id, i));
  (opts.recentIds ?? []).forEach((id, i) => {
    if (!rank.has(id)) rank.set(id, 1000 + i);
  });
  return list
    .map((c, index) => ({ c, index, r: rank.get(c.id) ?? 1_000_000 + index }))
    .sort((a, b) => a.r - b.r)
    .map((x) => x.c);
}

export const RECENT_CATEGORIES_KEY = 'ssp.recentCategories';
const RECENT_MAX = 6;

export function rememberRecent(recent: string[], id: string): string[] {
  return [id, ...recent.filter((r) => r !== id)].slice(0, RECENT_MAX);
}

/** Groups for browsing without a query: family → major, in the order given. */
export function groupByMajor<C extends PickerCategory>(list: readonly C[]): { key: string; title: string; items: C[] }[] {
  const groups = new Map<string, { key: string; title: string; items: C[] }>();
  for (const c of list) {
    const key = `${c.family}:${c.majorName}`;
    if (!groups.has(key)) groups.set(key, { key, title: `${c.family === 'component' ? '部件' : '事件'} · ${c.majorName}`, items: [] });
    groups.get(key)!.items.push(c);
  }
  return [...groups.values()];
}
