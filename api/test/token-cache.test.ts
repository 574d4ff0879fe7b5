import { signAccessToken, verifiedTokenCount, verifyAccessToken } from '../src/auth/tokens';
import { ApiError } from '../src/core/errors';

const SECRET = 'token-cache-test-secret-token-cache-test-secret';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof ApiError ? err.code : String(err);
  }
  return undefined;
}

describe('verified access tokens kept in memory', () => {
  afterEach(() => jest.useRealTimers());

  it('refuses a token past its exp although it was verified (and kept) before', () => {
    jest.useFakeTimers({ now: new Date('2026-03-01T08:00:00Z'), doNotFake: ['nextTick', 'setImmediate'] });
    const token = signAccessToken(SECRET, { kind: 'citizen', userId: 'c1' }, 60);
    expect(verifyAccessToken(SECRET, token)).toEqual({ kind: 'citizen', userId: 'c1' });
    jest.setSystemTime(new Date('2026-03-01T08:00:59Z'));
    expect(verifyAccessToken(SECRET, token)).toEqual({ kind: 'citizen', userId: 'c1' });
    jest.setSystemTime(new Date('2026-03-01T08:01:00Z'));
    expect(codeOf(() => verifyAccessToken(SECRET, token))).toBe('TOKEN_EXPIRED');
  });

  it('answers a kept token only for the secret that verified it', () => {
    const token = signAccessToken(SECRET, { kind: 'staff', userId: 's1', role: 'admin' });
    expect(verifyAccessToken(SECRET, token)).toMatchObject({ kind: 'staff', userId: 's1', role: 'admin' });
    expect(codeOf(() => verifyAccessToken(`${SECRET}-other`, token))).toBe('UNAUTHENTICATED');
  });

  it('hands out a copy: a caller changing its principal changes no later answer', () => {
    const token = signAccessToken(SECRET, { kind: 'citizen', userId: 'c2' });
    const first = verifyAccessToken(SECRET, token) as { userId: string };
    first.userId = 'someone else';
    expect(verifyAccessToken(SECRET, token)).toEqual({ kind: 'citizen', userId: 'c2' });
  });

  it('keeps a bounded number of tokens', () => {
    for (let i = 0; i < 10_050; i += 1) verifyAccessToken(SECRET, signAccessToken(SECRET, { kind: 'citizen', userId: `bulk${i}` }));
    expect(verifiedTokenCount()).toBeLessThanOrEqual(10_000);
  });
});
