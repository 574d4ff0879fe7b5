/**
 * WeChat reads `aria-role` and `aria-label` on its components (its screen reader support),
 * but Taro's mini-program templates only render the attributes they know, so these would
 * be dropped. This adds them to the tappable components (see src/components/pressable.ts),
 * the same way @tarojs/plugin-inject does. The browser build uses role/aria-* as they are.
 */
// Kept in step with src/a11y-attributes.ts (which the runtime uses) by miniapp/test/pressable.test.ts:
// this file is loaded on its own by Taro's plugin loader and cannot import app sources.
export const ARIA = { 'aria-role': '', 'aria-label': '', 'aria-checked': '', 'aria-disabled': '', 'aria-selected': '', 'aria-hidden': '' };
export const COMPONENTS = ['View', 'Text', 'Image'];

interface Platform {
  template?: { mergeComponents?: (ctx: unknown, patch: Record<string, Record<string, string>>) => void };
}
interface PluginCtx {
  registerMethod(method: { name: string; fn: (platform: Platform) => void }): void;
}

export default (ctx: PluginCtx) => {
  ctx.registerMethod({
    name: 'onSetupClose',
    fn(platform) {
      platform.template?.mergeComponents?.(ctx, Object.fromEntries(COMPONENTS.map((c) => [c, { ...ARIA }])));
    },
  });
};
