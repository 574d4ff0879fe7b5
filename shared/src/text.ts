import { z } from 'zod';

/**
 * The rule for text people type (descriptions, nicknames, notes, reasons, titles), which
 * other people then read on phones and staff screens, the same for every such field:
 *
 * - Normalised to NFC, so "é" typed as one or as two code points is stored, compared and
 *   counted against the length limit the same way.
 * - Refused (400, naming the field) when it holds what no keyboard types on purpose:
 *   unpaired UTF-16 surrogates (not text at all; the database would store U+FFFD),
 *   control characters other than tab and line breaks (NUL, ESC, DEL, C1), bidirectional
 *   embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069: they make text
 *   display differently from what it says), and more than 8 combining marks on one
 *   character ("Zalgo" text that spills over neighbouring lines; real scripts stack a few).
 * - Everything else is kept verbatim: every script, emoji with ZWJ sequences, skin tones
 *   and flags, zero-width joiners and non-joiners.
 *
 * Refused rather than silently cleaned: the person can fix the text, and nothing stored
 * differs from what was sent except by normalisation.
 */
const UNSAFE_TEXT = /\p{Cs}|[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]|\p{M}{9,}/u;

export const UNSAFE_TEXT_MESSAGE = '包含不支持的字符（控制字符、文字方向控制符、无效编码或过多叠加符号）';

export function isSafeText(value: string): boolean {
  return !UNSAFE_TEXT.test(value);
}

/** `z.string(params)` with the rule above; chain `.trim()`, `.min()`, `.max()` as usual. */
export function safeText(params?: Parameters<typeof z.string>[0]) {
  return z.string(params).normalize('NFC').refine(isSafeText, UNSAFE_TEXT_MESSAGE);
}

/** At least one character that shows (not only spaces, zero-width or combining characters). */
export function hasVisibleText(value: string): boolean {
  return /[^\s\p{Cf}\p{M}]/u.test(value);
}
