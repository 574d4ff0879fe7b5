export default definePageConfig({
  navigationBarTitleText: '随手拍 · 上报问题',
});
