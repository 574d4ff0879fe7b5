/**
 * Issue 18: the palette meets WCAG 2.1 AA. Reads the palette block of app.css and every
 * stylesheet under src, works out each text/background pair the CSS declares, and checks
 * it with the WCAG relative-luminance formula (4.5:1 for text, 3:1 for the parts of a
 * control). Also: no colour outside the palette, so a new colour has to pass here first.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

type Rgba = [number, number, number, number];

const SRC = join(__dirname, '../src');

function parseColour(text: string): Rgba {
  const t = text.trim().toLowerCase();
  let m = /^#([0-9a-f]{3}|[0-9a-f]{6})$/.exec(t);
  if (m) {
    const h = m[1]!.length === 3 ? [...m[1]!].map((c) => c + c).join('') : m[1]!;
    return [parseInt(h.slice(0, 2), 16), parseInt(h.slice(2, 4), 16), parseInt(h.slice(4, 6), 16), 1];
  }
  m = /^rgba?\(\s*(\d+)\s*,\s*(\d+)\s*,\s*(\d+)\s*(?:,\s*([\d.]+)\s*)?\)$/.exec(t);
  if (m) return [Number(m[1]), Number(m[2]), Number(m[3]), m[4] === undefined ? 1 : Number(m[4])];
  throw new Error(`not a colour: ${text}`);
}

/** A translucent colour as seen over an opaque one. */
function over(top: Rgba, under: Rgba): Rgba {
  const a = top[3];
  return [0, 1, 2].map((i) => Math.round(top[i]! * a + under[i]! * (1 - a))).concat(1) as Rgba;
}

/** WCAG 2.x relative luminance. */
function luminance([r, g, b]: Rgba): number {
  const lin = (c: number) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}

function contrast(a: Rgba, b: Rgba): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

const stripComments = (css: string) => css.replace(/\/\*[\s\S]*?\*\//g, '');

function cssFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? cssFiles(join(dir, e.name)) : e.name.endsWith('.css') ? [join(dir, e.name)] : [],
  );
}

interface Rule {
  file: string;
  selector: string;
  decls: Map<string, string>;
}

function rulesOf(file: string): Rule[] {
  const css = stripComments(readFileSync(file, 'utf8'));
  return [...css.matchAll(/([^{}]+)\{([^{}]*)\}/g)].map((m) => ({
    file: relative(SRC, file),
    selector: m[1]!.replace(/\s+/g, ' ').trim(),
    decls: new Map(
      m[2]!
        .split(';')
        .map((d) => d.trim())
        .filter(Boolean)
        .map((d) => {
          const i = d.indexOf(':');
          return [d.slice(0, i).trim(), d.slice(i + 1).trim()] as [string, string];
        }),
    ),
  }));
}

const allRules = cssFiles(SRC).flatMap(rulesOf);
const paletteRule = allRules.find((r) => r.file === 'app.css' && [...r.decls.keys()].some((k) => k.startsWith('--c-')));
const palette = new Map<string, Rgba>(
  [...(paletteRule?.decls ?? [])].filter(([k]) => k.startsWith('--c-')).map(([k, v]) => [k.slice(4), parseColour(v)]),
);

/** The palette colours a value names (a gradient names several). */
function coloursIn(value: string): string[] {
  return [...value.matchAll(/var\(--c-([a-z0-9-]+)\)/g)].map((m) => m[1]!);
}

const colour = (name: string): Rgba => {
  const c = palette.get(name);
  if (!c) throw new Error(`--c-${name} is not in the palette`);
  return c;
};

const HERO_BLUE = ['primary', 'primary-2'];
const HERO_ORANGE = ['warning', 'warning-2'];
const HERO_DARK = ['dark', 'text-2'];

/**
 * What the stylesheets alone do not say: the text colour an element inherits and what it
 * sits on, for elements inside a coloured ancestor (several = every one is checked).
 */
const CONTEXT: Record<string, { text?: string; on: string[] }> = {
  '.pts-hero__label': { on: HERO_ORANGE },
  '.pts-hero__cap': { text: 'on-primary', on: HERO_ORANGE },
  '.staff-hero__sub': { text: 'on-primary', on: HERO_DARK },
  '.home__city': { text: 'on-primary', on: HERO_BLUE },
  '.home__subtitle': { text: 'on-primary', on: HERO_BLUE },
  '.home__draft': { text: 'on-primary', on: HERO_BLUE },
  '.mine__sub': { text: 'on-primary', on: HERO_BLUE },
  '.mine__avatar': { text: 'on-primary', on: HERO_BLUE },
  '.mine__edit': { text: 'on-primary', on: HERO_BLUE },
  '.tile__plus': { on: ['fill-3'] },
  '.tile__count': { on: ['fill-3'] },
};
/** Text elsewhere sits on a card or on the page (a photo counts as white, the worst case). */
const SURFACES = ['surface', 'bg'];
/** Backgrounds that carry no text, and disabled controls (WCAG 1.4.3 exempts them). */
const NO_TEXT = new Set([
  '.page .field__textarea textarea, .sheet .field__textarea textarea',
  '.btn--disabled',
  '.sheet-mask',
  '.thumb',
  '.photo-strip__img',
  '.hbar__track',
  '.hbar__fill',
  '.col__fill',
  '.loc__map',
  '.tile',
  '.tile__img--pending',
  '.tile__bar',
  '.tile__bar-fill',
  '.tl__dot',
  '.tl--latest .tl__dot',
  '.camp-cover',
  '.progress',
  '.progress__fill',
  '.home__campaign-cover',
  '.message__dot',
]);

interface Pair {
  where: string;
  text: string;
  background: string;
  ratio: number;
  needs: number;
}

const ruleBySelector = new Map(allRules.map((r) => [r.selector, r]));
const ownColour = (r: Rule | undefined, prop: string) => coloursIn(r?.decls.get(prop) ?? '');
const ownBackground = (r: Rule | undefined) => (r ? [...ownColour(r, 'background'), ...ownColour(r, 'background-color')] : []);
/** `.a--b` takes what it does not set from `.a`. */
const base = (r: Rule) => (/^\.[\w-]+--[\w-]+$/.test(r.selector) ? ruleBySelector.get(r.selector.replace(/--[\w-]+$/, '')) : undefined);

/** Every text/background pair the stylesheets declare. */
function textPairs(): Pair[] {
  const pairs: Pair[] = [];
  for (const rule of allRules) {
    if (rule === paletteRule || NO_TEXT.has(rule.selector)) continue;
    const own = { text: ownColour(rule, 'color')[0], background: ownBackground(rule), opacity: rule.decls.get('opacity') };
    if (!own.text && !own.background.length && own.opacity === undefined) continue;
    const ctx = CONTEXT[rule.selector];
    const text = own.text ?? ownColour(base(rule), 'color')[0] ?? ctx?.text ?? 'text';
    const parents = ctx?.on ?? SURFACES;
    const backgrounds = own.background.length ? own.background : ownBackground(base(rule)).length ? ownBackground(base(rule)) : parents;
    const opacity = own.opacity === undefined ? 1 : Number(own.opacity);
    // An unselected star is a graphic part of the rating control: 3:1 (WCAG 1.4.11).
    const needs = rule.selector === '.star' ? 3 : 4.5;
    for (const background of backgrounds) {
      // A translucent background is seen over what the element sits on; so is translucent text.
      const bgs = colour(background)[3] < 1 ? parents.map((p) => over(colour(background), colour(p))) : [colour(background)];
      for (const bg of bgs) {
        const fg = colour(text);
        const seen = over([fg[0], fg[1], fg[2], fg[3] * opacity], bg);
        pairs.push({ where: `${rule.file} ${rule.selector}`, text, background, ratio: contrast(seen, bg), needs });
      }
    }
  }
  return pairs;
}

describe('contrast formula', () => {
  it('gives the WCAG reference values', () => {
    expect(contrast(parseColour('#000'), parseColour('#fff'))).toBeCloseTo(21, 5);
    expect(contrast(parseColour('#fff'), parseColour('#fff'))).toBeCloseTo(1, 5);
    // The colours issue 18 reported fail, so this check would have caught them.
    expect(contrast(parseColour('#86909c'), parseColour('#fff'))).toBeLessThan(4.5);
    expect(contrast(parseColour('#fff'), parseColour('#1677ff'))).toBeLessThan(4.5);
    expect(contrast(parseColour('#767676'), parseColour('#fff'))).toBeGreaterThanOrEqual(4.5);
    expect(contrast(parseColour('#777777'), parseColour('#fff'))).toBeLessThan(4.5);
  });
});

describe('palette (app.css)', () => {
  it('is defined once, with the colours the issue asked for replaced', () => {
    expect(paletteRule).toBeDefined();
    expect(palette.size).toBeGreaterThan(20);
    expect(allRules.filter((r) => [...r.decls.keys()].some((k) => k.startsWith('--c-')))).toHaveLength(1);
    const values = [...palette.values()].map((c) => c.slice(0, 3).join(','));
    expect(values).not.toContain('134,144,156'); // #86909c
    expect(values).not.toContain('22,119,255'); // #1677ff
  });

  it('every text/background pair in the stylesheets meets WCAG 2.1 AA', () => {
    const pairs = textPairs();
    expect(pairs.length).toBeGreaterThan(60);
    const failing = pairs.filter((p) => p.ratio < p.needs).map((p) => `${p.where}: ${p.text} on ${p.background} ${p.ratio.toFixed(2)}:1`);
    expect(failing).toEqual([]);
  });

  it('white text on every filled button and badge background is at least 4.5:1', () => {
    const onPrimary = colour('on-primary');
    for (const bg of ['primary', 'primary-2', 'success', 'danger', 'danger-strong', 'warning', 'warning-2', 'dark', 'text-2', 'purple']) {
      expect([bg, contrast(onPrimary, colour(bg)) >= 4.5]).toEqual([bg, true]);
    }
  });

  it('text colours read on every tinted background they are paired with in the UI', () => {
    const tints: [string, string][] = [
      ['primary', 'primary-bg'],
      ['primary-2', 'primary-bg'],
      ['success', 'success-bg'],
      ['danger', 'danger-bg'],
      ['warning', 'warning-bg'],
      ['warning', 'waiting-bg'],
      ['warning-text', 'warning-bg'],
      ['purple', 'purple-bg'],
      ['muted', 'fill'],
      ['muted', 'fill-2'],
      ['muted', 'fill-3'],
      ['text-2', 'fill-2'],
    ];
    for (const [fg, bg] of tints) expect([fg, bg, contrast(colour(fg), colour(bg)) >= 4.5]).toEqual([fg, bg, true]);
  });

  it('no stylesheet uses a colour outside the palette', () => {
    const literal = /#[0-9a-fA-F]{3,8}\b|rgba?\(|hsla?\(/;
    const offenders = allRules
      .filter((r) => r !== paletteRule)
      .flatMap((r) => [...r.decls].filter(([, v]) => literal.test(v)).map(([k, v]) => `${r.file} ${r.selector} { ${k}: ${v} }`));
    expect(offenders).toEqual([]);
  });

  it('every palette colour is used (no stale entries to keep passing)', () => {
    const used = new Set(allRules.filter((r) => r !== paletteRule).flatMap((r) => [...r.decls.values()].flatMap(coloursIn)));
    expect([...palette.keys()].filter((k) => !used.has(k))).toEqual([]);
  });

  it('colours set outside CSS (tab bar, navigation bar, inline props) are palette colours', () => {
    const known = new Set([...palette.values()].map((c) => c.join(',')));
    const sources = [join(SRC, 'app.config.ts'), join(SRC, 'pages/report/index.tsx'), join(SRC, 'packagePublic/points/index.tsx')];
    const used = sources.flatMap((f) =>
      [...readFileSync(f, 'utf8').matchAll(/'(#[0-9a-fA-F]{3,6})'|"(#[0-9a-fA-F]{3,6})"/g)].map((m) => m[1] ?? m[2]!),
    );
    expect(used.length).toBeGreaterThan(3);
    expect(used.filter((c) => !known.has(parseColour(c).join(',')))).toEqual([]);
  });
});
