/**
 * The accessibility attributes WeChat reads on its components. Taro's mini-program
 * template renders only the attributes it knows, and its runtime maps each to a short
 * data key by the same list; both must learn these (the template in
 * config/a11y-plugin.ts at build time, the runtime in app.ts). Empty = no default.
 */
export const ARIA_ATTRIBUTES = {
  'aria-role': '',
  'aria-label': '',
  'aria-checked': '',
  'aria-disabled': '',
  'aria-selected': '',
  'aria-hidden': '',
} as const;

/** Components that carry a role or label in this app (see components/pressable.ts). */
export const ARIA_COMPONENTS = ['View', 'Text', 'Image'] as const;

export function ariaComponentPatch(): Record<string, Record<string, string>> {
  return Object.fromEntries(ARIA_COMPONENTS.map((c) => [c, { ...ARIA_ATTRIBUTES }]));
}
