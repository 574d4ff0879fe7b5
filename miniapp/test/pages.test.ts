/**
 * The page list in shared/src/pages.ts is the only place page paths are written; these
 * tests tie it to the page files on disk and to app.config as the Taro build reads it,
 * so a link to a page that does not exist (once: pages/campaign-detail/index) cannot return.
 */
import fs from 'node:fs';
import path from 'node:path';
import { esbuild, readConfig } from '@tarojs/helper';
import { PAGES, SUBPACKAGE_ROOTS, TAB_PAGES, pageRoute, pageUrl, tabUrl } from '@ssp/shared';

const SRC = path.resolve(__dirname, '../src');
const PAGE_ROOTS = ['pages', ...SUBPACKAGE_ROOTS];

interface AppConfig {
  pages: string[];
  subPackages: { root: string; pages: string[] }[];
  tabBar: { list: { pagePath: string; iconPath: string; selectedIconPath: string }[] };
  preloadRule: Record<string, unknown>;
}

/** Every folder under a page root that holds a page (index.tsx beside its index.config.ts). */
function pageFilesOnDisk(): string[] {
  return PAGE_ROOTS.flatMap((root) =>
    fs
      .readdirSync(path.join(SRC, root), { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && fs.existsSync(path.join(SRC, root, entry.name, 'index.tsx')))
      .map((entry) => `${root}/${entry.name}/index`),
  );
}

describe('page paths', () => {
  const paths: string[] = Object.values(PAGES);

  it.each(Object.entries(PAGES))('%s (%s) is a page file with its page config', (_name, pagePath) => {
    expect(fs.existsSync(path.join(SRC, `${pagePath}.tsx`))).toBe(true);
    expect(fs.existsSync(path.join(SRC, `${pagePath}.config.ts`))).toBe(true);
  });

  it('names every page on disk, each once', () => {
    expect(new Set(paths).size).toBe(paths.length);
    expect([...paths].sort()).toEqual(pageFilesOnDisk().sort());
  });

  it('puts the tab pages in the main package', () => {
    for (const tab of TAB_PAGES) expect(PAGES[tab]).toMatch(/^pages\//);
  });
});

describe('app.config, as the Taro build evaluates it', () => {
  // The build's own loader (esbuild + swc); it also proves the file's imports resolve at build time.
  const config = readConfig(path.join(SRC, 'app.config.ts')) as AppConfig;
  // esbuild's synchronous API keeps a worker thread alive; let jest's worker exit.
  afterAll(() => esbuild.stop());

  it('lists exactly the pages of shared/src/pages.ts, home first', () => {
    const listed = [...config.pages, ...config.subPackages.flatMap((sub) => sub.pages.map((page) => `${sub.root}/${page}`))];
    expect(listed.sort()).toEqual(Object.values(PAGES).sort());
    expect(config.pages[0]).toBe(PAGES.home);
    expect(config.subPackages.map((sub) => sub.root)).toEqual([...SUBPACKAGE_ROOTS]);
  });

  it('has the tab pages as its tab bar, with icons that exist', () => {
    expect(config.tabBar.list.map((tab) => tab.pagePath)).toEqual(TAB_PAGES.map((tab) => PAGES[tab]));
    for (const tab of config.tabBar.list) {
      expect(fs.existsSync(path.join(SRC, tab.iconPath))).toBe(true);
      expect(fs.existsSync(path.join(SRC, tab.selectedIconPath))).toBe(true);
    }
  });

  it('preloads from pages that exist', () => {
    for (const page of Object.keys(config.preloadRule)) expect(Object.values(PAGES)).toContain(page);
  });
});

describe('page URLs', () => {
  it('builds navigation URLs, routes and tab URLs from the page list', () => {
    expect(pageUrl('reportDetail', { id: '66a1b2c3d4e5f60718293a4b' })).toBe('/pages/report-detail/index?id=66a1b2c3d4e5f60718293a4b');
    expect(pageRoute('campaign', { id: 'c1' })).toBe('packagePublic/campaign/index?id=c1');
    expect(pageUrl('campaignEdit')).toBe('/packageStaff/campaign-edit/index');
    expect(pageUrl('campaignEdit', {})).toBe('/packageStaff/campaign-edit/index');
    expect(pageUrl('stats')).toBe('/packagePublic/stats/index');
    expect(tabUrl('mine')).toBe('/pages/mine/index');
  });

  it('encodes query values', () => {
    expect(pageRoute('staffCase', { id: 'a b&c=d' })).toBe('packageStaff/case/index?id=a%20b%26c%3Dd');
  });

  it('refuses wrong pages and queries at compile time', () => {
    // Each line must fail to type-check; ts-jest reports an unused @ts-expect-error.
    const attempts = [
      // @ts-expect-error: no such page
      () => pageUrl('campaignDetail'),
      // @ts-expect-error: the detail page needs its id
      () => pageUrl('reportDetail'),
      // @ts-expect-error: a query the page does not read
      () => pageUrl('reportDetail', { caseId: 'x' }),
      // @ts-expect-error: this page takes no query
      () => pageUrl('stats', { id: 'x' }),
      // @ts-expect-error: tab pages are reached with switchTab (tabUrl), never navigateTo
      () => pageUrl('mine'),
      // @ts-expect-error: not a tab page
      () => tabUrl('points'),
    ];
    expect(attempts).toHaveLength(6);
  });
});
