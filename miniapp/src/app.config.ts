/**
 * Main package: the three tabs and the citizen's own reports (what most visits touch).
 * packagePublic: points, campaigns and public statistics; packageStaff: the workbench.
 * Subpackages load on first use, which keeps the main package small (WeChat: ≤ 2 MB).
 * The pages themselves are listed once, in shared/src/pages.ts.
 */
// Relative import of that dependency-free module: Taro bundles this file on its own at build
// time, and the whole '@ssp/shared' index (zod, the contract) has no business there.
import { appPagesConfig, PAGES, TAB_PAGES, type TabPageName } from '../../shared/src/pages';

/** Tab bar label and icon (assets/tabbar/<icon>[-active].png) per tab page. */
const TABS: Record<TabPageName, { text: string; icon: string }> = {
  home: { text: '首页', icon: 'home' },
  report: { text: '上报', icon: 'report' },
  mine: { text: '我的', icon: 'mine' },
};

export default defineAppConfig({
  ...appPagesConfig(),
  preloadRule: {
    [PAGES.home]: { network: 'all', packages: ['packagePublic'] },
  },
  tabBar: {
    color: '#5c6470',
    selectedColor: '#0958d9',
    backgroundColor: '#ffffff',
    borderStyle: 'white',
    list: TAB_PAGES.map((tab) => ({
      pagePath: PAGES[tab],
      text: TABS[tab].text,
      iconPath: `assets/tabbar/${TABS[tab].icon}.png`,
      selectedIconPath: `assets/tabbar/${TABS[tab].icon}-active.png`,
    })),
  },
  permission: {
    'scope.userLocation': { desc: '用于确定您上报的城市问题所在位置' },
  },
  requiredPrivateInfos: ['getLocation', 'chooseLocation'],
  window: {
    backgroundTextStyle: 'light',
    navigationBarBackgroundColor: '#0958d9',
    navigationBarTitleText: '随手拍',
    navigationBarTextStyle: 'white',
    backgroundColor: '#f5f6f8',
  },
});
