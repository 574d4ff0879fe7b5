import fs from 'node:fs';
import path from 'node:path';
import { ERROR_CODES, ERROR_MESSAGES_ZH, RESERVED_ERROR_CODES, errorEnvelopeSchema, friendlyMessage, isErrorCode, type ErrorCode } from '../src';

const API_SRC = path.resolve(__dirname, '../../api/src');

/** The API's sources, comments removed, so a code counts as used only where code names it. */
function apiSources(dir = API_SRC): string {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .map((entry) => {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) return apiSources(full);
      if (!entry.name.endsWith('.ts')) return '';
      return fs
        .readFileSync(full, 'utf8')
        .replace(/\/\*[\s\S]*?\*\//g, '')
        .replace(/(^|[^:])\/\/.*$/gm, '$1');
    })
    .join('\n');
}

describe('error codes', () => {
  it('are listed once each', () => {
    expect(new Set(ERROR_CODES).size).toBe(ERROR_CODES.length);
  });

  it('each have a Chinese message', () => {
    for (const code of ERROR_CODES) {
      expect(ERROR_MESSAGES_ZH[code]).toMatch(/[\u4e00-\u9fa5]/);
    }
    // Nothing but the codes: a message for a code that left the list goes too.
    expect(Object.keys(ERROR_MESSAGES_ZH).sort()).toEqual([...ERROR_CODES].sort());
  });

  it('are each answered by the API somewhere, or reserved on purpose', () => {
    const sources = apiSources();
    const unused = ERROR_CODES.filter((code) => !sources.includes(`'${code}'`));
    expect(unused.filter((code) => !RESERVED_ERROR_CODES.includes(code))).toEqual([]);
    // A reserved code the API has started using is not reserved any more.
    expect(RESERVED_ERROR_CODES.filter((code) => !unused.includes(code))).toEqual([]);
  });

  it('give the default message of a code', () => {
    expect(friendlyMessage('RATE_LIMITED')).toBe('操作过于频繁，请稍后再试');
  });

  it('refuse an unknown code at compile time and at run time', () => {
    // @ts-expect-error: not a code of the list (ts-jest fails the suite on an unused expect-error)
    const unknown: ErrorCode = 'NO_SUCH_CODE';
    expect(isErrorCode(unknown)).toBe(false);
    expect(isErrorCode('CONFLICT')).toBe(true);
    expect(isErrorCode(undefined)).toBe(false);
  });
});

describe('error envelope', () => {
  it('parses an envelope with a listed code', () => {
    const parsed = errorEnvelopeSchema.parse({ error: { code: 'CONFLICT', message: '数据已被他人修改', details: [{ field: 'x', issue: 'y' }] } });
    expect(parsed.error.code).toBe('CONFLICT');
  });

  it('refuses unknown codes and other shapes', () => {
    expect(errorEnvelopeSchema.safeParse({ error: { code: 'X', message: 'y' } }).success).toBe(false);
    expect(errorEnvelopeSchema.safeParse({ code: 'CONFLICT' }).success).toBe(false);
  });
});
