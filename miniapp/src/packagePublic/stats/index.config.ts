export default definePageConfig({
  navigationBarTitleText: '数据公开',
  enablePullDownRefresh: true,
  enableShareAppMessage: true,
  enableShareTimeline: true,
});
