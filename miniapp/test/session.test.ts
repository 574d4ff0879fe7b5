import { makeRefresher, TokenStore } from '../src/logic/session';
import { memoryStore } from '../src/logic/storage';

const refused = (code: string) => Object.assign(new Error(code), { status: 401, code });

describe('token store and refresher', () => {
  it('keeps citizen and staff sessions apart', () => {
    const store = memoryStore();
    const citizen = new TokenStore(store, 'citizen');
    const staff = new TokenStore(store, 'staff');
    citizen.set({ accessToken: 'c1', refreshToken: 'cr1' });
    staff.set({ accessToken: 's1', refreshToken: 'sr1' });
    expect(citizen.accessToken()).toBe('c1');
    expect(staff.accessToken()).toBe('s1');
    staff.clear();
    expect(staff.get()).toBeNull();
    expect(citizen.get()).toEqual({ accessToken: 'c1', refreshToken: 'cr1' });
  });

  it('stores the rotated refresh token after every refresh', async () => {
    const tokens = new TokenStore(memoryStore(), 'citizen');
    tokens.set({ accessToken: 'a1', refreshToken: 'r1' });
    const used: string[] = [];
    let n = 1;
    const refresh = makeRefresher({
      tokens,
      refresh: async (rt) => {
        used.push(rt);
        n += 1;
        return { accessToken: `a${n}`, refreshToken: `r${n}` };
      },
    });
    expect(await refresh()).toBe(true);
    expect(await refresh()).toBe(true);
    expect(used).toEqual(['r1', 'r2']);
    expect(tokens.get()).toEqual({ accessToken: 'a3', refreshToken: 'r3' });
  });

  it('on a refused or reused refresh token: clears the session and signs in again silently when it can', async () => {
    const tokens = new TokenStore(memoryStore(), 'citizen');
    tokens.set({ accessToken: 'a1', refreshToken: 'stolen' });
    const refresh = makeRefresher({
      tokens,
      refresh: async () => {
        throw refused('REFRESH_TOKEN_REUSED');
      },
      relogin: async () => {
        tokens.set({ accessToken: 'fresh', refreshToken: 'fresh-r' });
        return true;
      },
    });
    expect(await refresh()).toBe(true);
    expect(tokens.get()).toEqual({ accessToken: 'fresh', refreshToken: 'fresh-r' });
  });

  it('signs out when the session is gone and no silent login is possible', async () => {
    const tokens = new TokenStore(memoryStore(), 'staff');
    tokens.set({ accessToken: 'a1', refreshToken: 'expired' });
    const signedOut = jest.fn();
    const refresh = makeRefresher({ tokens, refresh: async () => Promise.reject(refused('REFRESH_TOKEN_INVALID')), onSignedOut: signedOut });
    expect(await refresh()).toBe(false);
    expect(tokens.get()).toBeNull();
    expect(signedOut).toHaveBeenCalledTimes(1);
  });

  it('keeps the session when the refresh only failed on the network', async () => {
    const tokens = new TokenStore(memoryStore(), 'citizen');
    tokens.set({ accessToken: 'a1', refreshToken: 'r1' });
    const refresh = makeRefresher({ tokens, refresh: async () => Promise.reject(Object.assign(new Error('offline'), { status: 0 })) });
    await expect(refresh()).rejects.toThrow('offline');
    expect(tokens.get()).toEqual({ accessToken: 'a1', refreshToken: 'r1' });
  });
});
