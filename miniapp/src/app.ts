import { type PropsWithChildren } from 'react';
import { mergeInternalComponents } from '@tarojs/shared';
import { config as zodConfig } from 'zod';
import { ariaComponentPatch } from './a11y-attributes';
import { applyTextScale } from './services/text-size';
import './app.css';

// Mini-program engines forbid new Function; tell zod not to try compiling validators.
zodConfig({ jitless: true });
applyTextScale();
// WeChat: the runtime must map aria-* to the same template keys as config/a11y-plugin.ts.
if (process.env.TARO_ENV === 'weapp') mergeInternalComponents(ariaComponentPatch());
if (process.env.TARO_ENV === 'h5') makeScrollRegionsFocusable();

/**
 * Keyboard users scroll a region by focusing it: the H5 runtime's page containers and
 * horizontal pickers are scrollable regions it renders without a tabindex.
 */
function makeScrollRegionsFocusable(): void {
  const mark = () => {
    for (const el of document.querySelectorAll(
      '.taro_page:not([tabindex]), .taro-scroll-view__scroll-x:not([tabindex]), .taro-scroll-view__scroll-y:not([tabindex])',
    )) {
      el.setAttribute('tabindex', '0');
    }
  };
  new MutationObserver(mark).observe(document.documentElement, { childList: true, subtree: true });
  mark();
}

function App({ children }: PropsWithChildren) {
  return children;
}

export default App;
