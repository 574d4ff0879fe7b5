import { Schema, type Connection, type Model, type Types } from 'mongoose';
import {
  CLAIM_STATUSES,
  LEDGER_KINDS,
  LEDGER_REASONS,
  REWARD_KINDS,
  type ClaimStatus,
  type ErrorCode,
  type LedgerKind,
  type LedgerReason,
  type RewardKind,
} from '@ssp/shared';

/** Connection-scoped model. Typed by the interface, not by inference from the schema (which makes tsc crawl). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any schema; the model is typed by T
function modelOf<T>(db: Connection, name: string, schema: Schema<any>): Model<T> {
  return (db.models[name] as Model<T> | undefined) ?? (db.model(name, schema) as unknown as Model<T>);
}

// ---------------------------------------------------------------- accounts

/** Points-domain bookkeeping of one account (see ledger.ts). */
export interface PointsBook {
  /** Apply version: every decision on the account bumps it (compare-and-set). */
  v: number;
  /** JSON-encoded decisions not yet shown on their ledger line (strings, so they can be pulled by exact value). */
  inflight?: string[];
  /** boardKey(period, district) → points earned. */
  earned?: Record<string, number>;
  capDay?: Record<string, number>;
  capMonth?: Record<string, number>;
}

/**
 * A citizen's points account, keyed by the citizen's id: the balance, the bookkeeping
 * the ledger keeps with it, and the citizen's leaderboard preference. Opened on the
 * first ledger entry or preference; the points domain is its only writer.
 */
export interface PointsAccount {
  _id: string;
  points: number;
  book: PointsBook;
  /** Shown as 匿名市民 on leaderboards (PUT /me/points/preferences). */
  leaderboardAnonymous: boolean;
  createdAt: Date;
}
const accountSchema = new Schema(
  {
    _id: String,
    points: { type: Number, required: true, default: 0 },
    book: { type: Schema.Types.Mixed, required: true },
    leaderboardAnonymous: { type: Boolean, default: false },
    createdAt: { type: Date, required: true },
  },
  { collection: 'points_accounts', versionKey: false, minimize: false },
);
export const getPointsAccountModel = (db: Connection) => modelOf<PointsAccount>(db, 'PointsAccount', accountSchema);

// ---------------------------------------------------------------- ledger

/** What a clawback takes off the earned counters: per month and district the original award was earned in. */
export interface EarnedDelta {
  month: string;
  districtId: string | null;
  n: number;
}

export type LedgerState = 'pending' | 'applied' | 'declined';

/**
 * One line of a citizen's points ledger. Append-only: a line is inserted `pending`
 * and flipped once to `applied` (with the amount the balance actually changed by) or
 * `declined` (a spend the balance could not cover); nothing else ever changes it.
 */
export interface LedgerEntry {
  _id: Types.ObjectId;
  citizenId: string;
  kind: LedgerKind;
  state: LedgerState;
  /** Signed, what the balance changed by (set when applied). */
  amount: number;
  /** Signed, what the rule asked for before caps and the zero floor. */
  requested: number;
  capped: number;
  shortfall: number;
  /** Change to the citizen's earned counters (leaderboards): +amount for earn, minus the case's awards for a clawback. */
  earned: number;
  earnedDelta: EarnedDelta[] | null;
  reason: LedgerReason;
  reasonText: string;
  /** Facts the Chinese text is built from (category, reward, admin's reason, which cap applied). */
  reasonParams: Record<string, string | number | null>;
  caseId: string | null;
  claimId: string | null;
  campaignId: string | null;
  multiplier: number | null;
  /** The period the award counts in (Asia/Shanghai), for caps and leaderboards. */
  day: string;
  month: string;
  districtId: string | null;
  businessKey: string;
  actorId: string | null;
  /** The citizen's apply sequence: the history's order and cursor. */
  seq: number | null;
  balanceAfter: number | null;
  at: Date;
  createdAt: Date;
  settledAt: Date | null;
}

const earnedDeltaSchema = new Schema({ month: String, districtId: String, n: Number }, { _id: false });

const ledgerSchema = new Schema(
  {
    citizenId: { type: String, required: true },
    kind: { type: String, enum: LEDGER_KINDS, required: true },
    state: { type: String, enum: ['pending', 'applied', 'declined'], required: true },
    amount: { type: Number, required: true },
    requested: { type: Number, required: true },
    capped: { type: Number, required: true },
    shortfall: { type: Number, required: true },
    earned: { type: Number, required: true },
    earnedDelta: { type: [earnedDeltaSchema], default: null },
    reason: { type: String, enum: LEDGER_REASONS, required: true },
    reasonText: { type: String, required: true },
    reasonParams: { type: Schema.Types.Mixed, default: {} },
    caseId: { type: String, default: null },
    claimId: { type: String, default: null },
    campaignId: { type: String, default: null },
    multiplier: { type: Number, default: null },
    day: { type: String, required: true },
    month: { type: String, required: true },
    districtId: { type: String, default: null },
    businessKey: { type: String, required: true },
    actorId: { type: String, default: null },
    seq: { type: Number, default: null },
    balanceAfter: { type: Number, default: null },
    at: { type: Date, required: true },
    createdAt: { type: Date, required: true },
    settledAt: { type: Date, default: null },
  },
  { collection: 'points_ledger', versionKey: false },
);
ledgerSchema.index({ businessKey: 1 }, { unique: true });
ledgerSchema.index({ citizenId: 1, seq: -1 });
ledgerSchema.index({ state: 1, createdAt: 1 });

export const getLedgerModel = (db: Connection) => modelOf<LedgerEntry>(db, 'PointsLedger', ledgerSchema);

/**
 * Which award keys a case gave out, and whether it was voided. One document per case,
 * so "award registered" and "case voided" are ordered atomically: an award either
 * registers before the void (and the clawback takes it back) or is refused.
 */
export interface CaseAwardsDoc {
  _id: string;
  voided: boolean;
  keys: string[];
}
const caseAwardsSchema = new Schema(
  { _id: String, voided: { type: Boolean, default: false }, keys: { type: [String], default: [] } },
  { collection: 'points_case_awards', versionKey: false },
);
export const getCaseAwardsModel = (db: Connection) => modelOf<CaseAwardsDoc>(db, 'PointsCaseAwards', caseAwardsSchema);

/**
 * Leaderboard counters, one per period ('all' or YYYY-MM) × district ('*' for all) × citizen:
 * a copy of the citizen's earned counter at apply version `v` (only a newer version overwrites).
 */
export interface LeaderboardDoc {
  _id: string;
  period: string;
  districtId: string;
  citizenId: string;
  earned: number;
  v: number;
}
const leaderboardSchema = new Schema(
  {
    _id: String,
    period: { type: String, required: true },
    districtId: { type: String, required: true },
    citizenId: { type: String, required: true },
    earned: { type: Number, required: true },
    v: { type: Number, required: true },
  },
  { collection: 'points_leaderboard', versionKey: false },
);
leaderboardSchema.index({ period: 1, districtId: 1, earned: -1 });
export const getLeaderboardModel = (db: Connection) => modelOf<LeaderboardDoc>(db, 'PointsLeaderboard', leaderboardSchema);

// ---------------------------------------------------------------- rewards and claims

export interface RewardDoc {
  _id: string;
  name: string;
  kind: RewardKind;
  description: string;
  costPoints: number;
  /** Units left. */
  stock: number;
  perCitizenLimit: number | null;
  limitPeriod: 'month' | 'all';
  activeFrom: Date;
  activeTo: Date;
  imageUrl: string | null;
  /** Claims holding a unit (reserving or pending): taken with the stock in one update, released with it. */
  holds: string[];
  createdAt: Date;
  updatedAt: Date;
}
const rewardSchema = new Schema(
  {
    _id: String,
    name: { type: String, required: true },
    kind: { type: String, enum: REWARD_KINDS, required: true },
    description: { type: String, default: '' },
    costPoints: { type: Number, required: true },
    stock: { type: Number, required: true },
    perCitizenLimit: { type: Number, default: null },
    limitPeriod: { type: String, enum: ['month', 'all'], required: true },
    activeFrom: { type: Date, required: true },
    activeTo: { type: Date, required: true },
    imageUrl: { type: String, default: null },
    holds: { type: [String], default: [] },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
  },
  { collection: 'rewards', versionKey: false },
);
export const getRewardModel = (db: Connection) => modelOf<RewardDoc>(db, 'Reward', rewardSchema);

/** Why a claim never went through: the error its request (and any retry of it) answers with. */
export type ClaimRejectCode = Extract<ErrorCode, 'OUT_OF_STOCK' | 'CLAIM_LIMIT_REACHED' | 'INSUFFICIENT_POINTS'>;

export interface ClaimDoc {
  _id: Types.ObjectId;
  /** citizen + client request id: a retried request finds its first claim. */
  key: string;
  citizenId: string;
  rewardId: string;
  rewardName: string;
  kind: RewardKind;
  costPoints: number;
  status: ClaimStatus;
  /** Why a claim never went through. */
  rejectCode: ClaimRejectCode | null;
  /** The per-citizen limit counter this claim counts in, or null without a limit. */
  limitId: string | null;
  phoneMasked: string | null;
  /** HMAC of the full number at claim time: the admin export checks the number still matches. */
  phoneDigest: string | null;
  fulfilmentCode: string | null;
  failReason: string | null;
  /** Stock, limit and points side effects of the final status are all done. */
  settled: boolean;
  createdAt: Date;
  updatedAt: Date;
  fulfilledAt: Date | null;
  fulfilledBy: string | null;
  /** Staff marked the fulfilled claim delivered (已送达); absent on claims from before this field. */
  deliveredAt?: Date | null;
  deliveredBy?: string | null;
  failedAt: Date | null;
  failedBy: string | null;
}
const claimSchema = new Schema(
  {
    key: { type: String, required: true },
    citizenId: { type: String, required: true },
    rewardId: { type: String, required: true },
    rewardName: { type: String, required: true },
    kind: { type: String, enum: REWARD_KINDS, required: true },
    costPoints: { type: Number, required: true },
    status: { type: String, enum: CLAIM_STATUSES, required: true },
    rejectCode: { type: String, default: null },
    limitId: { type: String, default: null },
    phoneMasked: { type: String, default: null },
    phoneDigest: { type: String, default: null },
    fulfilmentCode: { type: String, default: null },
    failReason: { type: String, default: null },
    settled: { type: Boolean, required: true },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
    fulfilledAt: { type: Date, default: null },
    fulfilledBy: { type: String, default: null },
    deliveredAt: { type: Date, default: null },
    deliveredBy: { type: String, default: null },
    failedAt: { type: Date, default: null },
    failedBy: { type: String, default: null },
  },
  { collection: 'reward_claims', versionKey: false },
);
claimSchema.index({ key: 1 }, { unique: true });
claimSchema.index({ citizenId: 1, _id: -1 });
claimSchema.index({ status: 1, _id: -1 });
claimSchema.index({ settled: 1, status: 1 });
export const getClaimModel = (db: Connection) => modelOf<ClaimDoc>(db, 'RewardClaim', claimSchema);

/** Claims one citizen made of one reward in one period; `claims` lists them so taking and returning a slot are idempotent. */
export interface ClaimLimitDoc {
  _id: string;
  count: number;
  claims: string[];
}
const claimLimitSchema = new Schema(
  { _id: String, count: { type: Number, default: 0 }, claims: { type: [String], default: [] } },
  { collection: 'reward_claim_limits', versionKey: false },
);
export const getClaimLimitModel = (db: Connection) => modelOf<ClaimLimitDoc>(db, 'RewardClaimLimit', claimLimitSchema);

/** Markers such as "the rewards file was seeded". */
const pointsMetaSchema = new Schema({ _id: String, at: Date }, { collection: 'points_meta', versionKey: false });
export const getPointsMetaModel = (db: Connection) => modelOf<{ _id: string; at: Date }>(db, 'PointsMeta', pointsMetaSchema);
