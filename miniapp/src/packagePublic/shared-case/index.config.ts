export default definePageConfig({ navigationBarTitleText: '修好了', enableShareAppMessage: true, enableShareTimeline: true });
