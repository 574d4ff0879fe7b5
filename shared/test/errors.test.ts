import { ERROR_CODES, ERROR_MESSAGES_ZH, errorEnvelopeSchema, friendlyMessage } from '../src';

describe('error codes', () => {
  it('has a Chinese message for every code', () => {
    for (const code of ERROR_CODES) {
      expect(ERROR_MESSAGES_ZH[code]).toMatch(/[\u4e00-\u9fa5]/);
    }
  });

  it('falls back for unknown codes', () => {
    expect(friendlyMessage('NO_SUCH_CODE')).toBe(ERROR_MESSAGES_ZH.INTERNAL);
    expect(friendlyMessage('NO_SUCH_CODE', '自定义')).toBe('自定义');
    expect(friendlyMessage('RATE_LIMITED')).toBe('操作过于频繁，请稍后再试');
  });

  it('parses the envelope and rejects other shapes', () => {
    expect(errorEnvelopeSchema.safeParse({ error: { code: 'X', message: 'y' } }).success).toBe(true);
    expect(errorEnvelopeSchema.safeParse({ code: 'X' }).success).toBe(false);
  });
});
