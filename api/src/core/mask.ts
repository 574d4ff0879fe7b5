/**
 * Masking of personal identifiers before anything reaches a log line.
 * WeChat openids (28 chars starting with "o") and mainland mobile numbers.
 */
/** With an optional +86 / 86 prefix and a space or hyphen between the 3-4-4 groups, as people write them. */
const PHONE = /(?<!\d)(?:\+?86[ -]?)?(1[3-9]\d)[ -]?\d{4}[ -]?(\d{4})(?!\d)/g;
/** Openids may start or end with "-" or "_", where \b would not match: delimit by the id alphabet instead. */
const OPENID = /(?<![A-Za-z0-9_-])o[A-Za-z0-9_-]{27}(?![A-Za-z0-9_-])/g;
const SENSITIVE_KEYS = /^(openid|unionid|phone|mobile|session_?key|password|token|refreshToken|accessToken|authorization)$/i;

export function maskPhone(phone: string): string {
  return phone.replace(PHONE, '$1****$2');
}

export function maskOpenid(openid: string): string {
  if (openid.length <= 8) return '***';
  return `${openid.slice(0, 4)}***${openid.slice(-4)}`;
}

export function maskText(text: string): string {
  return text.replace(PHONE, '$1****$2').replace(OPENID, (m) => maskOpenid(m));
}

function maskValueForKey(key: string, value: string): string {
  if (/openid|unionid/i.test(key)) return maskOpenid(value);
  if (/phone|mobile/i.test(key)) return maskPhone(value).replace(/^(?!.*\*{4}).*$/, '***');
  return '[redacted]';
}

/** Deep copy of a log object with sensitive keys and values masked. */
export function maskDeep(value: unknown, key = '', depth = 0): unknown {
  if (depth > 6) return '[deep]';
  if (typeof value === 'string') {
    return SENSITIVE_KEYS.test(key) ? maskValueForKey(key, value) : maskText(value);
  }
  if (Array.isArray(value)) return value.map((v) => maskDeep(v, key, depth + 1));
  if (value && typeof value === 'object') {
    if (value instanceof Error) {
      return { type: value.name, message: maskText(value.message), stack: value.stack ? maskText(value.stack) : undefined };
    }
    if (value instanceof Date) return value;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = maskDeep(v, k, depth + 1);
    return out;
  }
  return value;
}
