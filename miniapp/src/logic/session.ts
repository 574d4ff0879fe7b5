import type { KeyValueStore } from './storage';

/**
 * Tokens of one signed-in party. Citizens and staff are separate realms: one phone may
 * carry both a citizen's session and a staff member's, each with its own refresh chain.
 */
export type Realm = 'citizen' | 'staff';

export interface Tokens {
  accessToken: string;
  refreshToken: string;
}

export class TokenStore {
  private readonly key: string;
  constructor(
    private readonly store: KeyValueStore,
    readonly realm: Realm,
  ) {
    this.key = `ssp.session.${realm}`;
  }

  get(): Tokens | null {
    const t = this.store.get<Tokens>(this.key);
    return t && typeof t.accessToken === 'string' && typeof t.refreshToken === 'string' ? t : null;
  }

  accessToken(): string | null {
    return this.get()?.accessToken ?? null;
  }

  /** Rotation: every refresh answers with a new refresh token, which replaces the old one. */
  set(tokens: Tokens): void {
    this.store.set(this.key, { accessToken: tokens.accessToken, refreshToken: tokens.refreshToken });
  }

  clear(): void {
    this.store.remove(this.key);
  }
}

export interface RefresherOptions {
  tokens: TokenStore;
  /** POST /auth/refresh; rejects with an error carrying `status` when the server says no. */
  refresh: (refreshToken: string) => Promise<Tokens>;
  /** Signs in again without asking (WeChat login, or the remembered demo user on H5). */
  relogin?: () => Promise<boolean>;
  onSignedOut?: () => void;
}

/**
 * The refreshAccessToken hook of the API client. A refused refresh token (expired,
 * revoked, or reused: REFRESH_TOKEN_REUSED means the chain was stolen or replayed and the
 * server revoked it) clears the session; a network failure keeps it and rethrows.
 */
export function makeRefresher(opts: RefresherOptions): () => Promise<boolean> {
  return async () => {
    const current = opts.tokens.get();
    if (current) {
      try {
        opts.tokens.set(await opts.refresh(current.refreshToken));
        return true;
      } catch (err) {
        const status = (err as { status?: number }).status;
        if (status !== 401 && status !== 400) throw err;
        opts.tokens.clear();
      }
    }
    if (opts.relogin && (await opts.relogin().catch(() => false))) return true;
    opts.onSignedOut?.();
    return false;
  };
}
