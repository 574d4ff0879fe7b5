/**
 * Every page of the mini-program, named once. The mini-program's app.config (pages,
 * subpackages, tab bar), its navigation and every message the API sends that opens a
 * page (subscribe messages) take their paths from here, so a link to a page that does
 * not exist cannot be written.
 *
 * Dependency-free on purpose: the Taro build evaluates app.config.ts on its own and
 * imports this file by relative path (see miniapp/src/app.config.ts).
 *
 * Order matters: the first main-package page is the launch page.
 */
export const PAGES = {
  // Main package: the three tabs and the citizen's own reports.
  home: 'pages/index/index',
  report: 'pages/report/index',
  mine: 'pages/mine/index',
  login: 'pages/login/index',
  myReports: 'pages/my-reports/index',
  reportDetail: 'pages/report-detail/index',
  messages: 'pages/messages/index',
  // packagePublic: points, campaigns and public statistics.
  points: 'packagePublic/points/index',
  rewards: 'packagePublic/rewards/index',
  claims: 'packagePublic/claims/index',
  leaderboard: 'packagePublic/leaderboard/index',
  campaigns: 'packagePublic/campaigns/index',
  campaign: 'packagePublic/campaign/index',
  sharedCase: 'packagePublic/shared-case/index',
  stats: 'packagePublic/stats/index',
  // packageStaff: the staff workbench.
  staffLogin: 'packageStaff/login/index',
  workbench: 'packageStaff/workbench/index',
  staffCase: 'packageStaff/case/index',
  staffCampaigns: 'packageStaff/campaigns/index',
  campaignEdit: 'packageStaff/campaign-edit/index',
  campaignResults: 'packageStaff/campaign-results/index',
} as const;

export type PageName = keyof typeof PAGES;
export type PagePath = (typeof PAGES)[PageName];

/** Pages outside the main package live in these subpackages (loaded on first use). */
export const SUBPACKAGE_ROOTS = ['packagePublic', 'packageStaff'] as const;
export type SubpackageRoot = (typeof SUBPACKAGE_ROOTS)[number];

/** The tab bar, in display order; tab pages are reached with switchTab only. */
export const TAB_PAGES = ['home', 'report', 'mine'] as const satisfies readonly PageName[];
export type TabPageName = (typeof TAB_PAGES)[number];

/**
 * The query each page reads (Taro's useRouter().params). A page absent here takes no
 * query; `?` marks a parameter the page works without.
 */
export interface PageQueries {
  reportDetail: { id: string };
  /** `scene` when opened from a mini-program code (see campaignScene). */
  campaign: { id?: string; scene?: string };
  sharedCase: { id: string };
  staffCase: { id: string };
  /** Without id: a new campaign. */
  campaignEdit: { id?: string };
  campaignResults: { id: string };
}
export type PageQuery<P extends PageName> = P extends keyof PageQueries ? PageQueries[P] : Record<string, never>;

/** A required query argument where the page needs one, an optional one where it may take one, none otherwise. */
type QueryArgs<P extends PageName> = P extends keyof PageQueries
  ? Record<string, never> extends PageQueries[P]
    ? [query?: PageQueries[P]]
    : [query: PageQueries[P]]
  : [];

function withQuery(path: string, query: Record<string, string | undefined> | undefined): string {
  const parts = Object.entries(query ?? {})
    .filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== '')
    .map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(value)}`);
  return parts.length ? `${path}?${parts.join('&')}` : path;
}

/** The page's route with its query, as WeChat subscribe messages take it: `pages/report-detail/index?id=…`. */
export function pageRoute<P extends PageName>(page: P, ...query: QueryArgs<P>): string {
  return withQuery(PAGES[page], query[0] as Record<string, string | undefined> | undefined);
}

/** The absolute URL Taro.navigateTo / redirectTo take: `/pages/report-detail/index?id=…`. */
export function pageUrl<P extends Exclude<PageName, TabPageName>>(page: P, ...query: QueryArgs<P>): string {
  return `/${pageRoute(page, ...query)}`;
}

/** The URL Taro.switchTab takes (tab pages accept no query). */
export function tabUrl(page: TabPageName): string {
  return `/${PAGES[page]}`;
}

/**
 * The `scene` of a campaign's mini-program code (getwxacodeunlimit: at most 32 visible
 * ASCII characters), and the campaign id read back from it (WeChat hands the page the
 * scene URL-encoded).
 */
export function campaignScene(campaignId: string): string {
  return `c=${campaignId}`;
}
export function campaignIdFromScene(scene: string | undefined): string | undefined {
  if (!scene) return undefined;
  const match = /^c=([a-f0-9]{24})$/.exec(decodeURIComponent(scene));
  return match?.[1];
}

export interface AppPagesConfig {
  pages: string[];
  subPackages: { root: SubpackageRoot; pages: string[] }[];
}

/** The `pages` and `subPackages` of app.config, derived from PAGES. */
export function appPagesConfig(): AppPagesConfig {
  const paths: string[] = Object.values(PAGES);
  return {
    pages: paths.filter((path) => path.startsWith('pages/')),
    subPackages: SUBPACKAGE_ROOTS.map((root) => ({
      root,
      pages: paths.filter((path) => path.startsWith(`${root}/`)).map((path) => path.slice(root.length + 1)),
    })),
  };
}
