/**
 * Main package: the three tabs and the citizen's own reports (what most visits touch).
 * packagePublic: points, campaigns and public statistics; packageStaff: the workbench.
 * Subpackages load on first use, which keeps the main package small (WeChat: ≤ 2 MB).
 */
export default defineAppConfig({
  pages: [
    'pages/index/index',
    'pages/report/index',
    'pages/mine/index',
    'pages/login/index',
    'pages/my-reports/index',
    'pages/report-detail/index',
  ],
  subPackages: [
    {
      root: 'packagePublic',
      pages: [
        'points/index',
        'rewards/index',
        'claims/index',
        'leaderboard/index',
        'campaigns/index',
        'campaign/index',
        'stats/index',
      ],
    },
    {
      root: 'packageStaff',
      pages: ['login/index', 'workbench/index', 'case/index', 'campaigns/index', 'campaign-edit/index', 'campaign-results/index'],
    },
  ],
  preloadRule: {
    'pages/index/index': { network: 'all', packages: ['packagePublic'] },
  },
  tabBar: {
    color: '#8f959e',
    selectedColor: '#1677ff',
    backgroundColor: '#ffffff',
    borderStyle: 'white',
    list: [
      { pagePath: 'pages/index/index', text: '首页', iconPath: 'assets/tabbar/home.png', selectedIconPath: 'assets/tabbar/home-active.png' },
      { pagePath: 'pages/report/index', text: '上报', iconPath: 'assets/tabbar/report.png', selectedIconPath: 'assets/tabbar/report-active.png' },
      { pagePath: 'pages/mine/index', text: '我的', iconPath: 'assets/tabbar/mine.png', selectedIconPath: 'assets/tabbar/mine-active.png' },
    ],
  },
  permission: {
    'scope.userLocation': { desc: '用于确定您上报的城市问题所在位置' },
  },
  requiredPrivateInfos: ['getLocation', 'chooseLocation'],
  window: {
    backgroundTextStyle: 'light',
    navigationBarBackgroundColor: '#1677ff',
    navigationBarTitleText: '随手拍',
    navigationBarTextStyle: 'white',
    backgroundColor: '#f5f6f8',
  },
});
