import { Schema, type Connection, type InferSchemaType } from 'mongoose';
import { DEFAULT_NICKNAME, STAFF_ROLES } from '@ssp/shared';

/**
 * A citizen (市民). WeChat citizens have an openid; dev-login citizens a devUser instead.
 * Absent identifiers are left out of the document (never null) so the unique indexes skip them.
 */
const citizenSchema = new Schema(
  {
    openid: { type: String },
    unionid: { type: String },
    devUser: { type: String },
    nickname: { type: String, required: true, default: DEFAULT_NICKNAME },
    /** Full number, server-side only (phone-credit rewards); answered masked. */
    phone: { type: String },
    /** The last 4 digits of `phone` (what the masked number shows): administrators find citizens by it. */
    phoneTail: { type: String },
    /** The service account's openid (WeChat web authorisation in the browser version). */
    webOpenid: { type: String },
    /** The number the citizen proved with an SMS code: the browser sign-in identity. */
    verifiedPhone: { type: String },
    createdAt: { type: Date, required: true },
    lastLoginAt: { type: Date, required: true },
  },
  { collection: 'citizens', versionKey: false },
);
citizenSchema.index({ openid: 1 }, { unique: true, sparse: true });
citizenSchema.index({ devUser: 1 }, { unique: true, sparse: true });
citizenSchema.index({ verifiedPhone: 1 }, { unique: true, sparse: true });
citizenSchema.index({ webOpenid: 1 }, { unique: true, sparse: true });
// Administrators' citizen search (GET /admin/citizens): by phone tail, by nickname prefix.
citizenSchema.index({ phoneTail: 1 }, { sparse: true });
citizenSchema.index({ nickname: 1 });

export type CitizenFields = InferSchemaType<typeof citizenSchema>;

const compileCitizenModel = (db: Connection) => db.model('Citizen', citizenSchema);
export type CitizenModel = ReturnType<typeof compileCitizenModel>;

export function getCitizenModel(db: Connection): CitizenModel {
  return (db.models.Citizen as CitizenModel | undefined) ?? compileCitizenModel(db);
}

/** A platform staff account (坐席员, 派遣员, 处置部门, 监督员, 宣传, 管理员). */
const staffSchema = new Schema(
  {
    username: { type: String, required: true },
    displayName: { type: String, required: true },
    /** `scrypt$N$r$p$salt$hash`, see passwords.ts. */
    passwordHash: { type: String, required: true },
    role: { type: String, required: true, enum: STAFF_ROLES },
    /** The handling department a 'department' account acts for. */
    departmentId: { type: String, default: null },
    active: { type: Boolean, required: true, default: true },
    failedLogins: { type: Number, required: true, default: 0 },
    lockedUntil: { type: Date, default: null },
    lastLoginAt: { type: Date, default: null },
    /** The account's mini-program openid, linked from the workbench: WeChat's content checks of what staff publish need it. */
    wechatOpenid: { type: String, default: null },
    createdAt: { type: Date, required: true },
  },
  { collection: 'staff', versionKey: false },
);
staffSchema.index({ username: 1 }, { unique: true });

export type StaffFields = InferSchemaType<typeof staffSchema>;

const compileStaffModel = (db: Connection) => db.model('Staff', staffSchema);
export type StaffModel = ReturnType<typeof compileStaffModel>;

export function getStaffModel(db: Connection): StaffModel {
  return (db.models.Staff as StaffModel | undefined) ?? compileStaffModel(db);
}

/**
 * One refresh token. Only its SHA-256 hash is stored. Tokens rotate within a family
 * (one sign-in); a used token presented again revokes the whole family.
 */
const refreshTokenSchema = new Schema(
  {
    tokenHash: { type: String, required: true },
    userId: { type: String, required: true },
    userKind: { type: String, required: true, enum: ['citizen', 'staff'] },
    familyId: { type: String, required: true },
    createdAt: { type: Date, required: true },
    expiresAt: { type: Date, required: true },
    usedAt: { type: Date, default: null },
    revokedAt: { type: Date, default: null },
  },
  { collection: 'refresh_tokens', versionKey: false },
);
refreshTokenSchema.index({ tokenHash: 1 }, { unique: true });
refreshTokenSchema.index({ familyId: 1 });
refreshTokenSchema.index({ userId: 1, userKind: 1 });

export type RefreshTokenFields = InferSchemaType<typeof refreshTokenSchema>;

const compileRefreshTokenModel = (db: Connection) => db.model('RefreshToken', refreshTokenSchema);
export type RefreshTokenModel = ReturnType<typeof compileRefreshTokenModel>;

export function getRefreshTokenModel(db: Connection): RefreshTokenModel {
  return (db.models.RefreshToken as RefreshTokenModel | undefined) ?? compileRefreshTokenModel(db);
}
