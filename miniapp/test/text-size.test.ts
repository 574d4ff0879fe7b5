/**
 * Issue 18: body text is at least 16 CSS px on a 375-px-wide screen, nothing is under
 * 14, and large-text mode (适老化) reaches every font size on every page. Sizes in the
 * stylesheets are design px on a 750-wide design (Taro's pxtransform), so 32 → 16 CSS px.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { PAGES } from '@ssp/shared';
import { isLargeText, LARGE_TEXT_SCALE, setLargeText, textScale } from '../src/services/text-size';

const MINIAPP = join(__dirname, '..');
const SRC = join(MINIAPP, 'src');
const VIEWPORT = 375;

function cssFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? cssFiles(join(dir, e.name)) : e.name.endsWith('.css') ? [join(dir, e.name)] : [],
  );
}

const designWidth = Number(/designWidth:\s*(\d+)/.exec(readFileSync(join(MINIAPP, 'config/index.ts'), 'utf8'))?.[1]);
/** CSS px on a 375-px-wide screen for a size in design px. */
const cssPx = (designPx: number) => (designPx * VIEWPORT) / designWidth;

interface FontSize {
  where: string;
  selector: string;
  value: string;
  designPx: number | null;
  scales: boolean;
}

const fontSizes: FontSize[] = cssFiles(SRC).flatMap((file) => {
  const css = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '');
  return [...css.matchAll(/([^{}]+)\{([^{}]*)\}/g)].flatMap((rule) =>
    [...rule[2]!.matchAll(/font-size:\s*([^;]+);/g)].map((m) => {
      const value = m[1]!.trim();
      const px = /^calc\((\d+(?:\.\d+)?)px \* var\(--text-scale, 1\)\)$/.exec(value) ?? /^(\d+(?:\.\d+)?)px$/.exec(value);
      return {
        where: relative(SRC, file),
        selector: rule[1]!.replace(/\s+/g, ' ').trim(),
        value,
        designPx: px ? Number(px[1]) : null,
        scales: value.includes('var(--text-scale, 1)'),
      };
    }),
  );
});

/** What people read: the page's own text, list rows, fields, buttons and secondary sentences. */
const BODY_TEXT = ['page, body', '.muted', '.small', '.btn', '.field__input', '.card__title', '.empty__title', '.empty__hint', '.banner'];

describe('text size', () => {
  it('reads the design width the stylesheets are written for', () => {
    expect(designWidth).toBe(750);
    expect(cssPx(32)).toBe(16);
  });

  it('every font size scales with large-text mode and is a plain design-px size', () => {
    expect(fontSizes.length).toBeGreaterThan(50);
    expect(fontSizes.filter((f) => !f.scales || f.designPx === null).map((f) => `${f.where} ${f.selector}: ${f.value}`)).toEqual([]);
  });

  it('nothing is under 14 CSS px at 375 px wide', () => {
    expect(fontSizes.filter((f) => cssPx(f.designPx ?? 0) < 14).map((f) => `${f.where} ${f.selector}: ${f.value}`)).toEqual([]);
  });

  it('body text is at least 16 CSS px at 375 px wide', () => {
    const body = fontSizes.filter((f) => BODY_TEXT.includes(f.selector));
    expect(new Set(body.map((f) => f.selector))).toEqual(new Set(BODY_TEXT));
    expect(body.filter((f) => cssPx(f.designPx ?? 0) < 16).map((f) => `${f.where} ${f.selector}: ${f.value}`)).toEqual([]);
  });

  it('every page carries large-text mode (WeChat has no shared root, so each page sets it)', () => {
    const missing = Object.values(PAGES).filter((p) => !/<TextScale \/>/.test(readFileSync(join(SRC, `${p}.tsx`), 'utf8')));
    expect(missing).toEqual([]);
  });

  it('large-text mode is kept in storage and scales text by 1.25', () => {
    expect(isLargeText()).toBe(false);
    expect(textScale()).toBe(1);
    setLargeText(true);
    expect(isLargeText()).toBe(true);
    expect(textScale()).toBe(LARGE_TEXT_SCALE);
    expect(LARGE_TEXT_SCALE).toBeGreaterThanOrEqual(1.2);
    setLargeText(false);
    expect(textScale()).toBe(1);
  });
});
