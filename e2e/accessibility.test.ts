/**
 * Every page of the H5 app through axe-core (WCAG 2.1 A and AA rules) in the real
 * browser: no serious or critical finding on any of them, for a citizen, a signed-out
 * visitor and staff. Also checks what axe cannot: zoom is allowed and body text is at
 * least 16 CSS px, and large-text mode makes it bigger.
 */
import { randomUUID } from 'node:crypto';
import { PAGES, createCampaignSchema } from '@ssp/shared';
import type { Page } from 'playwright-core';
import type { TestApi } from '../api/test/helpers/harness';
import { uploadPhotos } from '../api/test/helpers/citizens';
import { citizenClient } from './helpers/api';
import { citizenLogin, createStaff, openRoute, staffLoginUi, startApp, type DemoCity } from './helpers/app';
import { byTestId, openDevice, storageValue, tap, type Device } from './helpers/browser';

let api: TestApi;
let city: DemoCity;
let appUrl: string;
const devices: Device[] = [];

interface Finding {
  id: string;
  impact: string;
  help: string;
  nodes: string[];
}

/** axe-core on the page as it is now: serious and critical findings only. */
async function audit(page: Page): Promise<Finding[]> {
  await page.addScriptTag({ path: require.resolve('axe-core/axe.min.js') });
  const results = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (ctx: unknown, opts: unknown) => Promise<{ violations: unknown[] }> } }).axe;
    return axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] }, resultTypes: ['violations'] });
  });
  return (results.violations as { id: string; impact: string; help: string; nodes: { target: string[]; html: string }[] }[])
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map((n) => n.html.slice(0, 160)) }));
}

const visited = new Set<string>();

async function visit(page: Page, route: string, ready: string | null): Promise<Finding[]> {
  visited.add(route.split('?')[0]!);
  await openRoute(page, appUrl, route);
  if (ready) await byTestId(page, ready).first().waitFor();
  else await page.waitForLoadState('networkidle');
  // Let async content settle (lists, charts).
  await page.waitForTimeout(600);
  return audit(page);
}

beforeAll(async () => {
  ({ api, city, appUrl } = await startApp());
});
afterAll(async () => {
  for (const d of devices) await d.close();
  await api?.close();
});

describe('accessibility of every page', () => {
  it('has no serious or critical axe finding for a visitor, a citizen and staff', async () => {
    const findings: Record<string, Finding[]> = {};

    const visitorDevice = await openDevice('a11y-visitor', { at: city.point });
    devices.push(visitorDevice);
    const visitor = visitorDevice.page;
    findings['visitor home'] = await visit(visitor, 'pages/index/index', 'snap');
    findings['login'] = await visit(visitor, 'pages/login/index', 'login-submit');
    findings['stats'] = await visit(visitor, 'packagePublic/stats/index', 'stats');
    findings['campaigns'] = await visit(visitor, 'packagePublic/campaigns/index', null);

    const citizenDevice = await openDevice('a11y-citizen', { at: city.point });
    devices.push(citizenDevice);
    const page = citizenDevice.page;
    await openRoute(page, appUrl);
    await citizenLogin(page, appUrl, `a11y-${randomUUID().slice(0, 6)}`, '无障碍测试市民');
    const client = await citizenClient(page, api.url);
    const token = (await storageValue<{ accessToken: string }>(page, 'ssp.session.citizen'))!.accessToken;
    const photoIds = await uploadPhotos(api, { auth: { authorization: `Bearer ${token}` } }, 1);
    const report = await client.call('createReport', {
      body: { categoryId: city.publicCategory.id, description: '路灯不亮', location: city.point, photoIds, clientRequestId: randomUUID() },
    });
    for (const [action, role] of [
      ['file', 'operator'],
      ['dispatch', 'dispatcher'],
      ['report_handled', 'department'],
      ['verify_pass', 'supervisor'],
    ] as const) {
      await api.services.workflow.transition(report.id, { action, actor: { role, id: null } });
    }
    await client.call('shareMyReport', { params: { id: report.id } });

    findings['home'] = await visit(page, 'pages/index/index', 'snap');
    findings['report'] = await visit(page, 'pages/report/index', null);
    findings['mine'] = await visit(page, 'pages/mine/index', 'entry-messages');
    findings['my reports'] = await visit(page, 'pages/my-reports/index', 'my-reports');
    findings['report detail'] = await visit(page, `pages/report-detail/index?id=${report.id}`, 'rating');
    findings['messages'] = await visit(page, 'pages/messages/index', 'messages');
    findings['points'] = await visit(page, 'packagePublic/points/index', null);
    findings['rewards'] = await visit(page, 'packagePublic/rewards/index', null);
    findings['claims'] = await visit(page, 'packagePublic/claims/index', null);
    findings['leaderboard'] = await visit(page, 'packagePublic/leaderboard/index', null);
    findings['shared case'] = await visit(page, `packagePublic/shared-case/index?id=${report.id}`, 'shared-case');

    const staffDevice = await openDevice('a11y-staff', { at: city.point });
    devices.push(staffDevice);
    const desk = staffDevice.page;
    findings['staff login'] = await visit(desk, 'packageStaff/login/index', 'staff-login');
    await staffLoginUi(desk, appUrl, await createStaff(api, 'operator'));
    findings['workbench'] = await visit(desk, 'packageStaff/workbench/index', null);
    findings['staff case'] = await visit(desk, `packageStaff/case/index?id=${report.id}`, 'case-state');
    const officer = await openDevice('a11y-officer', { at: city.point });
    devices.push(officer);
    const officerAccount = await createStaff(api, 'publicity');
    await staffLoginUi(officer.page, appUrl, officerAccount);
    const officerId = (await api.services.auth.listStaff()).find((s) => s.username === officerAccount.username)!.id;
    findings['staff campaigns'] = await visit(officer.page, 'packageStaff/campaigns/index', null);
    findings['campaign editor'] = await visit(officer.page, 'packageStaff/campaign-edit/index', null);
    // A published campaign: its public page, and its results for the officer.
    const campaign = await api.services.campaigns.create(
      officerId,
      createCampaignSchema.parse({
        title: '清理小广告',
        summary: '两周内上报非法小广告，积分翻倍',
        body: '<p>欢迎参与</p>',
        startAt: new Date(Date.now() - 3_600_000).toISOString(),
        endAt: new Date(Date.now() + 14 * 86_400_000).toISOString(),
        targetCategoryIds: [],
        targetAreaIds: [],
        multiplier: 2,
      }),
    );
    await api.services.campaigns.publish(officerId, campaign.id, campaign.version);
    findings['campaign results'] = await visit(officer.page, `packageStaff/campaign-results/index?id=${campaign.id}`, 'campaign-results');
    findings['campaign'] = await visit(page, `packagePublic/campaign/index?id=${campaign.id}`, 'join-campaign');

    const failing = Object.fromEntries(Object.entries(findings).filter(([, f]) => f.length));
    expect(failing).toEqual({});
    // Every page of the app was audited.
    expect(Object.values(PAGES).filter((p) => !visited.has(p))).toEqual([]);
  });

  it('lets people zoom, shows body text at 16 CSS px or more, and larger in large-text mode', async () => {
    const d = await openDevice('a11y-text', { at: city.point });
    devices.push(d);
    const page = d.page;
    await openRoute(page, appUrl, 'pages/mine/index');
    await byTestId(page, 'entry-messages').waitFor();
    const viewport = await page.locator('meta[name="viewport"]').getAttribute('content');
    expect(viewport).not.toMatch(/user-scalable\s*=\s*no|maximum-scale\s*=\s*1(\.0)?\b/);
    const size = async () => page.evaluate(() => parseFloat(getComputedStyle(document.querySelector('[data-testid="entry-messages"]')!).fontSize));
    const normal = await size();
    expect(normal).toBeGreaterThanOrEqual(16);
    await tap(page, 'large-text');
    await page.waitForTimeout(300);
    const large = await size();
    expect(large).toBeGreaterThanOrEqual(normal * 1.2);
    // Kept across a reload.
    await page.reload();
    await byTestId(page, 'entry-messages').waitFor();
    expect(await size()).toBeCloseTo(large, 0);
  });
});
