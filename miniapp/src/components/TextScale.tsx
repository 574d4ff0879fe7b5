import { PageMeta } from '@tarojs/components';
import { textScale } from '../services/text-size';

/** First child of a page on WeChat: carries large-text mode into the page (see services/text-size.ts). */
export function TextScale() {
  if (process.env.TARO_ENV !== 'weapp') return null;
  return <PageMeta pageStyle={`--text-scale: ${textScale()}`} />;
}
