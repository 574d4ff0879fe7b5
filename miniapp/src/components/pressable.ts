/**
 * Props that make a tappable View/Text/Image a control for everyone: a role a screen
 * reader announces (`role` in the browser, `aria-role` on WeChat, see config/a11y-plugin.ts),
 * a label where the text alone does not say what it does, a place in the tab order, and
 * Enter/Space doing what a tap does (the browser version is also used with a keyboard).
 */
export type PressRole = 'button' | 'link' | 'radio' | 'checkbox' | 'tab';

export interface PressOptions {
  role?: PressRole;
  /** Spoken instead of the element's text: for icons (×, ★) and terse text. */
  label?: string;
  disabled?: boolean;
  /** For radio/checkbox: chosen or not; for tab: the current one. */
  checked?: boolean;
}

/** The part of a keyboard event the handler reads (a DOM KeyboardEvent in the browser). */
export interface KeyLike {
  key?: string;
  preventDefault?: () => void;
}

export interface PressProps {
  role: PressRole;
  /** WeChat's name for the role; not an ARIA attribute, so not given in the browser. */
  'aria-role'?: PressRole;
  'aria-label'?: string;
  'aria-disabled'?: boolean;
  'aria-checked'?: boolean;
  'aria-selected'?: boolean;
  tabIndex: number;
  onClick: () => void;
  onKeyDown: (e: KeyLike) => void;
}

// Taro replaces process.env.TARO_ENV at build time: 'h5' in the browser build.
const wechatRole = (role: PressRole): { 'aria-role'?: PressRole } => (process.env.TARO_ENV === 'h5' ? {} : { 'aria-role': role });

/** Enter or Space activate, as on a native button (Space must not scroll the page). */
export function isActivationKey(e: KeyLike): boolean {
  return e.key === 'Enter' || e.key === ' ' || e.key === 'Spacebar';
}

export function pressable(onPress: () => unknown, opts: PressOptions | PressRole = {}): PressProps {
  const o: PressOptions = typeof opts === 'string' ? { role: opts } : opts;
  const role = o.role ?? 'button';
  const props: PressProps = {
    role,
    ...wechatRole(role),
    tabIndex: 0,
    onClick: () => void onPress(),
    onKeyDown: (e) => {
      if (!isActivationKey(e)) return;
      e.preventDefault?.();
      void onPress();
    },
  };
  if (o.label) props['aria-label'] = o.label;
  if (o.disabled) props['aria-disabled'] = true;
  if (role === 'radio' || role === 'checkbox') props['aria-checked'] = !!o.checked;
  if (role === 'tab') props['aria-selected'] = !!o.checked;
  return props;
}

/**
 * The View inside a Taro Picker: the picker opens on its own tap, so the keyboard only
 * has to produce that tap (a click on the element, which bubbles to the picker).
 */
export function pickerTrigger(label: string): Omit<PressProps, 'onClick' | 'onKeyDown'> & { onKeyDown: (e: KeyLike & { target?: unknown }) => void } {
  return {
    role: 'button',
    ...wechatRole('button'),
    'aria-label': label,
    tabIndex: 0,
    onKeyDown: (e) => {
      if (!isActivationKey(e)) return;
      e.preventDefault?.();
      (e.target as { click?: () => void } | undefined)?.click?.();
    },
  };
}
