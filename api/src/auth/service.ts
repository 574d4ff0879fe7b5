import { isValidObjectId, Types } from 'mongoose';
import {
  createStaffSchema,
  DEFAULT_NICKNAME,
  roleDepartmentIssue,
  type CitizenSearchResult,
  type CitizenSummary,
  type CreateStaff,
  type LoginResult,
  type Me,
  type StaffAccount,
  type StaffLoginResult,
  type StaffProfile,
  type StaffRole,
  type TokenPair,
  type UpdateMe,
  type UpdateStaff,
} from '@ssp/shared';
import type { ServiceContext } from '../context';
import { ApiError, conflict, notFound, parseInput, validationFailed } from '../core/errors';
import { maskPhone } from '../core/mask';
import { keyset } from '../core/pagination';
import { getCitizenModel, getRefreshTokenModel, getStaffModel, type CitizenFields, type StaffFields } from './models';
import { hashPassword, verifyAgainstDummy, verifyPassword } from './passwords';
import { RefreshTokenStore, type ConsumedRefreshToken } from './refresh-tokens';
import { signAccessToken, type Principal } from './tokens';
import { WeChatApiError, WeChatClient, WECHAT_ERRCODE } from './wechat-client';
import { isDuplicateKeyError } from '../db';

/** Consecutive wrong passwords that lock a staff account, and for how long. */
export const STAFF_MAX_FAILED_LOGINS = 5;
export const STAFF_LOCK_MS = 15 * 60 * 1000;

/** A citizen as other domains see it on the server. `openid` is for WeChat calls only: never answer or log it. */
export interface CitizenRecord {
  id: string;
  openid: string | null;
  nickname: string;
  hasPhone: boolean;
  createdAt: Date;
  lastLoginAt: Date;
}

type WithId<T> = T & { _id: { toString(): string } };

/** The last 4 digits of a phone number: what its masked form shows and what administrators search by. */
export const phoneTailOf = (phone: string): string => phone.replace(/\D/g, '').slice(-4);

/** Administrators' citizen search: newest account first (by creation time: an upsert's _id says nothing of order on every server). */
const CITIZEN_SEARCH_ORDER = keyset<{ _id: Types.ObjectId; createdAt: Date }, 'date'>('createdAt', -1, 'date');
const OBJECT_ID = /^[a-f0-9]{24}$/;
/** 5678, or the masked form 138****5678 as the console shows it. */
const PHONE_TAIL_QUERY = /^(?:(1\d{2})\*{4})?(\d{4})$/;

function toCitizenSummary(citizen: WithId<CitizenFields>): CitizenSummary {
  return {
    id: citizen._id.toString(),
    nickname: citizen.nickname,
    phoneMasked: citizen.phone ? maskPhone(citizen.phone) : null,
    createdAt: citizen.createdAt.toISOString(),
  };
}

function toMe(citizen: WithId<CitizenFields>, points: number): Me {
  return {
    id: citizen._id.toString(),
    nickname: citizen.nickname,
    phoneMasked: citizen.phone ? maskPhone(citizen.phone) : null,
    points,
    createdAt: citizen.createdAt.toISOString(),
  };
}

/** What auth asks of the points domain, which owns balances. */
export interface PointsBalances {
  balanceOf(citizenId: string): Promise<number>;
}

function toStaffProfile(staff: WithId<StaffFields>): StaffProfile {
  return {
    id: staff._id.toString(),
    username: staff.username,
    displayName: staff.displayName,
    role: staff.role as StaffRole,
    departmentId: staff.departmentId ?? null,
  };
}

function toStaffAccount(staff: WithId<StaffFields>, now: Date): StaffAccount {
  const locked = staff.lockedUntil && staff.lockedUntil > now ? staff.lockedUntil : null;
  return {
    ...toStaffProfile(staff),
    active: staff.active,
    lockedUntil: locked ? locked.toISOString() : null,
    lastLoginAt: staff.lastLoginAt ? staff.lastLoginAt.toISOString() : null,
    createdAt: staff.createdAt.toISOString(),
  };
}

function staffPrincipal(staff: WithId<StaffFields>): Principal {
  return {
    kind: 'staff',
    userId: staff._id.toString(),
    role: staff.role as StaffRole,
    ...(staff.departmentId ? { departmentId: staff.departmentId } : {}),
  };
}

/** Sign-in for citizens (WeChat, dev login) and staff (password), token rotation, profiles and staff accounts. */
export class AuthService {
  /** The app's one WeChat client (shared so the access token is cached once); notifications send through it. */
  readonly wechat: WeChatClient;
  private readonly refreshTokens: RefreshTokenStore;
  private indexes: Promise<void> | undefined;

  constructor(
    readonly ctx: ServiceContext,
    /** The citizen's balance shown with the profile; the points domain answers it. */
    private readonly points: PointsBalances = { balanceOf: async () => 0 },
  ) {
    this.wechat = new WeChatClient(ctx.config.wechat, ctx.clock);
    this.refreshTokens = new RefreshTokenStore(ctx);
  }

  private async toMe(citizen: WithId<CitizenFields>): Promise<Me> {
    return toMe(citizen, await this.points.balanceOf(citizen._id.toString()));
  }

  // ---- citizens ----

  /** Signs a citizen in with a wx.login code: the account is created on the first login and found afterwards. */
  async loginWithWeChat(code: string): Promise<LoginResult> {
    let session;
    try {
      session = await this.wechat.code2Session(code);
    } catch (err) {
      throw this.wechatLoginError(err);
    }
    const now = this.ctx.clock.now();
    const { citizen, created } = await this.upsertCitizen(
      { openid: session.openid },
      { lastLoginAt: now, ...(session.unionid ? { unionid: session.unionid } : {}) },
      { nickname: DEFAULT_NICKNAME, createdAt: now },
    );
    this.ctx.logger.info({ citizenId: citizen._id.toString(), openid: session.openid, created }, 'citizen signed in with WeChat');
    return this.citizenLoginResult(citizen);
  }

  /** Development sign-in by a stable key; a nickname, when given, is saved on the account. */
  async devLogin(input: { devUser: string; nickname?: string }): Promise<LoginResult> {
    const now = this.ctx.clock.now();
    const { citizen } = await this.upsertCitizen(
      { devUser: input.devUser },
      { lastLoginAt: now, ...(input.nickname ? { nickname: input.nickname } : {}) },
      { createdAt: now, ...(input.nickname ? {} : { nickname: DEFAULT_NICKNAME }) },
    );
    return this.citizenLoginResult(citizen);
  }

  /** A browser sign-in inside WeChat, by the service account's openid (wechat-web.ts). */
  async webLogin(identity: { openid: string; unionid: string | null }): Promise<LoginResult> {
    const now = this.ctx.clock.now();
    const { citizen } = await this.upsertCitizen(
      { webOpenid: identity.openid },
      { lastLoginAt: now },
      { createdAt: now, nickname: DEFAULT_NICKNAME, ...(identity.unionid ? { unionid: identity.unionid } : {}) },
    );
    return this.citizenLoginResult(citizen);
  }

  /** A browser sign-in with a phone number whose SMS code was checked (sms.ts). */
  async phoneLogin(phone: string): Promise<LoginResult> {
    const now = this.ctx.clock.now();
    const { citizen } = await this.upsertCitizen(
      { verifiedPhone: phone },
      { lastLoginAt: now },
      { createdAt: now, nickname: DEFAULT_NICKNAME, phone, phoneTail: phoneTailOf(phone) },
    );
    return this.citizenLoginResult(citizen);
  }

  async getMe(citizenId: string): Promise<Me> {
    const citizen = await this.findCitizen(citizenId);
    if (!citizen) throw new ApiError(401, 'UNAUTHENTICATED', '账号不存在，请重新登录');
    return this.toMe(citizen);
  }

  /** Changes the nickname and/or the phone number (null removes it). */
  async updateMe(citizenId: string, patch: UpdateMe): Promise<Me> {
    const set: Record<string, string> = {};
    if (patch.nickname !== undefined) set.nickname = patch.nickname;
    if (patch.phone) {
      set.phone = patch.phone;
      set.phoneTail = phoneTailOf(patch.phone);
    }
    const update = {
      ...(Object.keys(set).length ? { $set: set } : {}),
      ...(patch.phone === null ? { $unset: { phone: 1, phoneTail: 1 } } : {}),
    };
    if (Object.keys(update).length === 0) return this.getMe(citizenId);
    if (!isValidObjectId(citizenId)) throw new ApiError(401, 'UNAUTHENTICATED', '账号不存在，请重新登录');
    const citizen = await getCitizenModel(this.ctx.db).findByIdAndUpdate(citizenId, update, { returnDocument: 'after' }).lean();
    if (!citizen) throw new ApiError(401, 'UNAUTHENTICATED', '账号不存在，请重新登录');
    return this.toMe(citizen);
  }

  /**
   * Administrators look a citizen up (GET /admin/citizens?q=): by id (24 hex digits), by the
   * last 4 digits of the bound phone number (or its masked form 138****5678), else by the
   * start of the nickname. Answers the masked number only. Newest account first, paginated.
   */
  async searchCitizens(q: { q: string; cursor?: string; limit: number }): Promise<CitizenSearchResult> {
    const text = q.q.trim();
    const Citizen = getCitizenModel(this.ctx.db);
    let filter: Record<string, unknown>;
    const tail = PHONE_TAIL_QUERY.exec(text);
    if (OBJECT_ID.test(text)) {
      filter = { _id: new Types.ObjectId(text) };
    } else if (tail) {
      await this.backfillPhoneTails();
      // Numbers are stored as 11 digits (PHONE_PATTERN); the masked form's first 3 narrow what the tail index read.
      filter = { phoneTail: tail[2], ...(tail[1] ? { phone: { $regex: `^${tail[1]}\\d{4}${tail[2]}$` } } : {}) };
    } else {
      filter = { nickname: { $regex: `^${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}` } };
    }
    const docs = await Citizen.find({ ...filter, ...CITIZEN_SEARCH_ORDER.after(q.cursor) })
      .sort(CITIZEN_SEARCH_ORDER.sort)
      .limit(q.limit + 1)
      .select({ nickname: 1, phone: 1, createdAt: 1 })
      .lean<WithId<CitizenFields>[]>();
    const { items, nextCursor } = CITIZEN_SEARCH_ORDER.page(docs as (WithId<CitizenFields> & { _id: Types.ObjectId })[], q.limit);
    return { items: items.map(toCitizenSummary), nextCursor };
  }

  private phoneTailsBackfilled?: Promise<void>;
  /** Accounts that bound a number before `phoneTail` existed get it once per process (a no-op after the first run on a database). */
  private backfillPhoneTails(): Promise<void> {
    this.phoneTailsBackfilled ??= (async () => {
      const Citizen = getCitizenModel(this.ctx.db);
      const missing = await Citizen.find({ phone: { $exists: true }, phoneTail: { $exists: false } })
        .select({ phone: 1 })
        .lean();
      for (const c of missing) {
        if (c.phone) await Citizen.updateOne({ _id: c._id, phone: c.phone }, { $set: { phoneTail: phoneTailOf(c.phone) } });
      }
    })().catch((err: unknown) => {
      this.phoneTailsBackfilled = undefined;
      throw err;
    });
    return this.phoneTailsBackfilled;
  }

  /** A citizen as administrators see them (masked number), or null. */
  async citizenSummary(id: string): Promise<CitizenSummary | null> {
    const citizen = await this.findCitizen(id);
    return citizen ? toCitizenSummary(citizen) : null;
  }

  /** A citizen for server-side use by other domains, or null. */
  async getCitizen(id: string): Promise<CitizenRecord | null> {
    const citizen = await this.findCitizen(id);
    if (!citizen) return null;
    return {
      id: citizen._id.toString(),
      openid: citizen.openid ?? null,
      nickname: citizen.nickname,
      hasPhone: Boolean(citizen.phone),
      createdAt: citizen.createdAt,
      lastLoginAt: citizen.lastLoginAt,
    };
  }

  /** A staff member's display name (for change logs), or null for an unknown id. */
  async staffDisplayName(id: string): Promise<string | null> {
    return (await this.staffDisplayNames([id])).get(id) ?? null;
  }

  /** Display names of these staff accounts (timelines, change logs); unknown ids are left out. */
  async staffDisplayNames(ids: readonly string[]): Promise<Map<string, string>> {
    const valid = [...new Set(ids)].filter((id) => isValidObjectId(id));
    if (!valid.length) return new Map();
    const staff = await getStaffModel(this.ctx.db)
      .find({ _id: { $in: valid } })
      .select({ displayName: 1 })
      .lean<{ _id: { toString(): string }; displayName: string }[]>();
    return new Map(staff.map((s) => [s._id.toString(), s.displayName]));
  }

  /** The mini-program openid linked to a staff account (content checks of what they publish), or null. */
  async staffWechatOpenid(id: string): Promise<string | null> {
    if (!isValidObjectId(id)) return null;
    const staff = await getStaffModel(this.ctx.db).findById(id).select({ wechatOpenid: 1 }).lean<{ wechatOpenid?: string | null }>();
    return staff?.wechatOpenid ?? null;
  }

  async citizenExists(id: string): Promise<boolean> {
    return isValidObjectId(id) && !!(await getCitizenModel(this.ctx.db).exists({ _id: id }));
  }

  /** Nicknames and full phone numbers (server-side only: exports, phone-credit fulfilment) of these citizens. */
  async citizenContacts(ids: readonly string[]): Promise<Map<string, { nickname: string; phone: string | null }>> {
    const valid = [...new Set(ids)].filter((id) => isValidObjectId(id));
    if (!valid.length) return new Map();
    const citizens = await getCitizenModel(this.ctx.db)
      .find({ _id: { $in: valid } })
      .select({ nickname: 1, phone: 1 })
      .lean();
    return new Map(citizens.map((c) => [c._id.toString(), { nickname: c.nickname, phone: c.phone ?? null }]));
  }

  /** The full phone number, for server-side use only (e.g. phone-credit rewards); never answer it. */
  async getCitizenPhone(id: string): Promise<string | null> {
    return (await this.findCitizen(id))?.phone ?? null;
  }

  // ---- tokens ----

  /** Rotates a refresh token into a new pair; staff role and department are re-read from the account. */
  async refresh(refreshToken: string): Promise<TokenPair> {
    const consumed = await this.refreshTokens.consume(refreshToken);
    const principal = await this.currentPrincipal(consumed);
    return this.tokenPair(principal, consumed.familyId);
  }

  /** Ends the sign-in the refresh token belongs to. Unknown tokens are accepted silently. */
  async logout(refreshToken: string): Promise<void> {
    await this.refreshTokens.revokeByToken(refreshToken);
  }

  // ---- staff ----

  async staffLogin(input: { username: string; password: string }): Promise<StaffLoginResult> {
    const Staff = getStaffModel(this.ctx.db);
    const staff = await Staff.findOne({ username: input.username }).lean();
    if (!staff) {
      await verifyAgainstDummy(input.password);
      throw new ApiError(401, 'INVALID_CREDENTIALS');
    }
    const now = this.ctx.clock.now();
    if (staff.lockedUntil && staff.lockedUntil > now) throw this.lockedError(staff.lockedUntil, now);

    if (!(await verifyPassword(input.password, staff.passwordHash))) {
      const counted = await Staff.findByIdAndUpdate(staff._id, { $inc: { failedLogins: 1 } }, { returnDocument: 'after' }).lean();
      if (counted && counted.failedLogins >= STAFF_MAX_FAILED_LOGINS) {
        const lockedUntil = new Date(now.getTime() + STAFF_LOCK_MS);
        await Staff.updateOne({ _id: staff._id, failedLogins: { $gte: STAFF_MAX_FAILED_LOGINS } }, { $set: { lockedUntil, failedLogins: 0 } });
        this.ctx.logger.warn({ staffId: staff._id.toString() }, 'staff account locked after repeated wrong passwords');
        throw this.lockedError(lockedUntil, now);
      }
      throw new ApiError(401, 'INVALID_CREDENTIALS');
    }
    if (!staff.active) throw new ApiError(403, 'ACCOUNT_DISABLED');

    const signedIn = await Staff.findByIdAndUpdate(
      staff._id,
      { $set: { failedLogins: 0, lockedUntil: null, lastLoginAt: now } },
      { returnDocument: 'after' },
    ).lean();
    const current = signedIn ?? staff;
    return { ...(await this.tokenPair(staffPrincipal(current))), staff: toStaffProfile(current) };
  }

  /** Creates a staff account (seeding and administrators). Input is validated here as well. */
  async createStaff(input: CreateStaff): Promise<StaffAccount> {
    const valid = parseInput(createStaffSchema, input);
    await this.ensureIndexes();
    const now = this.ctx.clock.now();
    try {
      const staff = await getStaffModel(this.ctx.db).create({
        username: valid.username,
        displayName: valid.displayName,
        passwordHash: await hashPassword(valid.password),
        role: valid.role,
        departmentId: valid.departmentId ?? null,
        createdAt: now,
      });
      return toStaffAccount(staff.toObject(), now);
    } catch (err) {
      if (isDuplicateKeyError(err)) throw conflict('CONFLICT', '用户名已存在', [{ field: 'username', issue: '用户名已存在' }]);
      throw err;
    }
  }

  async listStaff(): Promise<StaffAccount[]> {
    const now = this.ctx.clock.now();
    const staff = await getStaffModel(this.ctx.db).find().sort({ username: 1 }).lean();
    return staff.map((s) => toStaffAccount(s, now));
  }

  /**
   * Administrator changes to an account. A password reset also unlocks it; a reset or a
   * deactivation signs it out everywhere. Administrators cannot disable or demote themselves.
   */
  async updateStaff(actorId: string, id: string, patch: UpdateStaff): Promise<StaffAccount> {
    const Staff = getStaffModel(this.ctx.db);
    const staff = isValidObjectId(id) ? await Staff.findById(id).lean() : null;
    if (!staff) throw notFound('账号不存在');
    if (actorId === id && (patch.active === false || (patch.role !== undefined && patch.role !== 'admin'))) {
      const field = patch.active === false ? 'active' : 'role';
      throw validationFailed([{ field, issue: '不能停用自己的账号或取消自己的管理员角色' }]);
    }
    const role = patch.role ?? (staff.role as StaffRole);
    const departmentId = patch.departmentId !== undefined ? patch.departmentId : role === 'department' ? staff.departmentId : null;
    const issue = roleDepartmentIssue(role, departmentId);
    if (issue) throw validationFailed([{ field: 'departmentId', issue }]);

    const set: Record<string, unknown> = { role, departmentId: departmentId ?? null };
    if (patch.displayName !== undefined) set.displayName = patch.displayName;
    if (patch.active !== undefined) set.active = patch.active;
    if (patch.password !== undefined) {
      set.passwordHash = await hashPassword(patch.password);
      set.failedLogins = 0;
      set.lockedUntil = null;
    }
    const updated = await Staff.findByIdAndUpdate(id, { $set: set }, { returnDocument: 'after' }).lean();
    if (!updated) throw notFound('账号不存在');
    if (patch.password !== undefined || patch.active === false) {
      await this.refreshTokens.revokeAllFor({ userId: id, userKind: 'staff' });
    }
    return toStaffAccount(updated, this.ctx.clock.now());
  }

  /** Links the staff member's mini-program openid (from a wx.login code) to the account. */
  async linkStaffWeChat(staffId: string, code: string): Promise<{ linked: true }> {
    let session;
    try {
      session = await this.wechat.code2Session(code);
    } catch (err) {
      throw this.wechatLoginError(err);
    }
    await getStaffModel(this.ctx.db).updateOne({ _id: staffId }, { $set: { wechatOpenid: session.openid } });
    this.ctx.logger.info({ staffId, openid: session.openid }, 'staff linked their mini-program identity');
    return { linked: true };
  }

  async getStaffProfile(id: string): Promise<StaffProfile> {
    const staff = isValidObjectId(id) ? await getStaffModel(this.ctx.db).findById(id).lean() : null;
    if (!staff || !staff.active) throw new ApiError(401, 'UNAUTHENTICATED', '账号不存在或已停用，请重新登录');
    return toStaffProfile(staff);
  }

  // ---- internals ----

  /**
   * Unique indexes carry the idempotency of sign-in (one citizen per openid or devUser, one
   * account per username), so they must exist before the first write, not whenever autoIndex gets there.
   */
  private ensureIndexes(): Promise<void> {
    this.indexes ??= Promise.all([
      getCitizenModel(this.ctx.db).createIndexes(),
      getStaffModel(this.ctx.db).createIndexes(),
      getRefreshTokenModel(this.ctx.db).createIndexes(),
    ]).then(
      () => undefined,
      (err: unknown) => {
        this.indexes = undefined;
        throw err;
      },
    );
    return this.indexes;
  }

  private async findCitizen(id: string): Promise<WithId<CitizenFields> | null> {
    if (!isValidObjectId(id)) return null;
    return getCitizenModel(this.ctx.db).findById(id).lean();
  }

  /** Finds the citizen by an identifier or creates it, in one atomic upsert (retried once if a twin upsert won). */
  private async upsertCitizen(
    filter: { openid: string } | { devUser: string } | { verifiedPhone: string } | { webOpenid: string },
    set: Partial<CitizenFields>,
    setOnInsert: Partial<CitizenFields>,
  ): Promise<{ citizen: WithId<CitizenFields>; created: boolean }> {
    await this.ensureIndexes();
    const Citizen = getCitizenModel(this.ctx.db);
    const attempt = async () => {
      const res = await Citizen.findOneAndUpdate(
        filter,
        { $set: set, $setOnInsert: setOnInsert },
        { upsert: true, returnDocument: 'after', includeResultMetadata: true, lean: true },
      );
      if (!res.value) throw new Error('citizen upsert returned no document');
      return { citizen: res.value as WithId<CitizenFields>, created: !res.lastErrorObject?.updatedExisting };
    };
    try {
      return await attempt();
    } catch (err) {
      if (!isDuplicateKeyError(err)) throw err;
      return attempt();
    }
  }

  private async citizenLoginResult(citizen: WithId<CitizenFields>): Promise<LoginResult> {
    const pair = await this.tokenPair({ kind: 'citizen', userId: citizen._id.toString() });
    return { ...pair, user: await this.toMe(citizen) };
  }

  private async tokenPair(principal: Principal, familyId?: string): Promise<TokenPair> {
    const ttl = this.ctx.config.tokens.accessTtlSeconds;
    return {
      accessToken: signAccessToken(this.ctx.config.jwtSecret, principal, ttl),
      accessTokenExpiresIn: ttl,
      refreshToken: await this.refreshTokens.issue({ userId: principal.userId, userKind: principal.kind }, familyId),
      refreshTokenExpiresIn: this.refreshTokens.ttlSeconds,
    };
  }

  /** Who a consumed refresh token now stands for; a vanished or disabled account ends the sign-in. */
  private async currentPrincipal(consumed: ConsumedRefreshToken): Promise<Principal> {
    if (consumed.userKind === 'citizen') {
      if (await this.findCitizen(consumed.userId)) return { kind: 'citizen', userId: consumed.userId };
      await this.refreshTokens.revokeFamily(consumed.familyId);
      throw new ApiError(401, 'REFRESH_TOKEN_INVALID');
    }
    const staff = isValidObjectId(consumed.userId) ? await getStaffModel(this.ctx.db).findById(consumed.userId).lean() : null;
    if (!staff || !staff.active) {
      await this.refreshTokens.revokeFamily(consumed.familyId);
      throw staff ? new ApiError(403, 'ACCOUNT_DISABLED') : new ApiError(401, 'REFRESH_TOKEN_INVALID');
    }
    return staffPrincipal(staff);
  }

  private lockedError(lockedUntil: Date, now: Date): ApiError {
    const seconds = Math.max(1, Math.ceil((lockedUntil.getTime() - now.getTime()) / 1000));
    const minutes = Math.ceil(seconds / 60);
    return new ApiError(423, 'ACCOUNT_LOCKED', `密码错误次数过多，账号已锁定，请 ${minutes} 分钟后再试`, undefined, {
      'Retry-After': String(seconds),
    });
  }

  /** Maps a failed code2Session to the answer the mini-program can act on. */
  private wechatLoginError(err: unknown): unknown {
    if (!(err instanceof WeChatApiError)) return err;
    switch (err.errcode) {
      case WECHAT_ERRCODE.INVALID_CODE:
        return new ApiError(400, 'WECHAT_CODE_INVALID', undefined, [{ field: 'code', issue: '登录凭证无效或已过期' }]);
      case WECHAT_ERRCODE.CODE_USED:
        return new ApiError(400, 'WECHAT_CODE_INVALID', undefined, [{ field: 'code', issue: '登录凭证已被使用' }]);
      case WECHAT_ERRCODE.RATE_LIMITED:
        return new ApiError(429, 'WECHAT_RATE_LIMITED', undefined, undefined, { 'Retry-After': '60' });
      case WECHAT_ERRCODE.RISKY_USER:
        return new ApiError(403, 'WECHAT_RISKY_USER');
      case WECHAT_ERRCODE.SYSTEM_BUSY:
        return new ApiError(503, 'WECHAT_BUSY', undefined, undefined, { 'Retry-After': '3' });
      default:
        this.ctx.logger.warn({ errcode: err.errcode, kind: err.kind, cause: err.message }, 'WeChat code2Session failed');
        return new ApiError(503, 'WECHAT_UNAVAILABLE', undefined, undefined, { 'Retry-After': '5' });
    }
  }
}
