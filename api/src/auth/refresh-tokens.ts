import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { ServiceContext } from '../context';
import { ApiError } from '../core/errors';
import { getRefreshTokenModel } from './models';

export type UserKind = 'citizen' | 'staff';

export interface RefreshSubject {
  userId: string;
  userKind: UserKind;
}

/** A refresh token that was just consumed: who it belonged to and the sign-in (family) it continues. */
export interface ConsumedRefreshToken extends RefreshSubject {
  familyId: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;

function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/**
 * Opaque, rotating refresh tokens. Only SHA-256 hashes are stored, so a database leak
 * yields no usable token. Each sign-in is a family; every refresh uses up one token and
 * issues the next in the same family, and a used token coming back revokes the family.
 */
export class RefreshTokenStore {
  constructor(private readonly ctx: ServiceContext) {}

  private get model() {
    return getRefreshTokenModel(this.ctx.db);
  }

  get ttlSeconds(): number {
    return this.ctx.config.tokens.refreshTtlDays * 24 * 60 * 60;
  }

  /** Issues a new token; without a familyId it starts a new sign-in. */
  async issue(subject: RefreshSubject, familyId: string = randomUUID()): Promise<string> {
    const token = randomBytes(32).toString('base64url');
    const now = this.ctx.clock.now();
    await this.model.create({
      tokenHash: hashToken(token),
      userId: subject.userId,
      userKind: subject.userKind,
      familyId,
      createdAt: now,
      expiresAt: new Date(now.getTime() + this.ctx.config.tokens.refreshTtlDays * DAY_MS),
    });
    // A reuse detected while this token was being written revoked the family before it existed.
    const revoked = await this.model.exists({ familyId, revokedAt: { $ne: null } });
    if (revoked) {
      await this.revokeFamily(familyId);
      throw new ApiError(401, 'REFRESH_TOKEN_REUSED');
    }
    return token;
  }

  /**
   * Uses up a token atomically. A token already used is reuse (a stolen copy, or a client
   * that refreshed twice): the family is revoked and 401 REFRESH_TOKEN_REUSED answered.
   * Unknown, expired or revoked tokens answer 401 REFRESH_TOKEN_INVALID.
   */
  async consume(token: string): Promise<ConsumedRefreshToken> {
    const tokenHash = hashToken(token);
    const now = this.ctx.clock.now();
    const fresh = await this.model
      .findOneAndUpdate({ tokenHash, usedAt: null, revokedAt: null, expiresAt: { $gt: now } }, { $set: { usedAt: now } }, { returnDocument: 'after' })
      .lean();
    if (fresh) return { userId: fresh.userId, userKind: fresh.userKind as UserKind, familyId: fresh.familyId };

    const known = await this.model.findOne({ tokenHash }).lean();
    if (known?.usedAt) {
      await this.revokeFamily(known.familyId);
      this.ctx.logger.warn({ userId: known.userId, userKind: known.userKind }, 'refresh token reused; sign-in revoked');
      throw new ApiError(401, 'REFRESH_TOKEN_REUSED');
    }
    throw new ApiError(401, 'REFRESH_TOKEN_INVALID');
  }

  async revokeFamily(familyId: string): Promise<void> {
    await this.model.updateMany({ familyId, revokedAt: null }, { $set: { revokedAt: this.ctx.clock.now() } });
  }

  /** Revokes the sign-in a token belongs to (logout). Unknown tokens are ignored. */
  async revokeByToken(token: string): Promise<void> {
    const known = await this.model.findOne({ tokenHash: hashToken(token) }).lean();
    if (known) await this.revokeFamily(known.familyId);
  }

  /** Signs a user out everywhere (password reset, deactivation). */
  async revokeAllFor(subject: RefreshSubject): Promise<void> {
    await this.model.updateMany(
      { userId: subject.userId, userKind: subject.userKind, revokedAt: null },
      { $set: { revokedAt: this.ctx.clock.now() } },
    );
  }
}
