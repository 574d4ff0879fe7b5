import { Schema, Types, type Connection, type Model } from 'mongoose';
import { CAMPAIGN_CHANGE_ACTIONS, type CampaignChangeAction } from '@ssp/shared';

export interface StaffRef {
  id: string;
  name: string;
}

export interface CampaignChangeDoc {
  at: Date;
  by: StaffRef;
  action: CampaignChangeAction;
  fields: string[];
  diff: { field: string; before: string | number | boolean | null; after: string | number | boolean | null }[];
  reason: string | null;
}

export interface CampaignDoc {
  _id: Types.ObjectId;
  title: string;
  summary: string;
  /** Already sanitised (see sanitize.ts). */
  body: string;
  coverPhotoId: string | null;
  startAt: Date;
  endAt: Date;
  targetCategoryIds: string[];
  targetAreaIds: string[];
  multiplier: number;
  participationGoal: number | null;
  published: boolean;
  /** Set when staff end the campaign early. */
  endedAt: Date | null;
  /** Set once the go-live reminders were queued (they are deduplicated per citizen anyway). */
  liveNotifiedAt: Date | null;
  version: number;
  createdBy: StaffRef;
  createdAt: Date;
  updatedAt: Date;
  changes: CampaignChangeDoc[];
}

const staffRefSchema = new Schema({ id: { type: String, required: true }, name: { type: String, required: true } }, { _id: false });

/** One entry of the change log: who, when, which fields, before/after. */
const changeSchema = new Schema(
  {
    at: { type: Date, required: true },
    by: { type: staffRefSchema, required: true },
    action: { type: String, enum: CAMPAIGN_CHANGE_ACTIONS, required: true },
    fields: { type: [String], default: [] },
    diff: {
      type: [new Schema({ field: String, before: Schema.Types.Mixed, after: Schema.Types.Mixed }, { _id: false })],
      default: [],
    },
    reason: { type: String, default: null },
  },
  { _id: false },
);

const campaignSchema = new Schema<CampaignDoc>(
  {
    title: { type: String, required: true },
    summary: { type: String, default: '' },
    body: { type: String, default: '' },
    coverPhotoId: { type: String, default: null },
    startAt: { type: Date, required: true },
    endAt: { type: Date, required: true },
    targetCategoryIds: { type: [String], default: [] },
    targetAreaIds: { type: [String], default: [] },
    multiplier: { type: Number, required: true },
    participationGoal: { type: Number, default: null },
    published: { type: Boolean, required: true, default: false },
    endedAt: { type: Date, default: null },
    liveNotifiedAt: { type: Date, default: null },
    version: { type: Number, required: true, default: 1 },
    createdBy: { type: staffRefSchema, required: true },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
    changes: { type: [changeSchema], default: [] },
  },
  { collection: 'campaigns', versionKey: false },
);
campaignSchema.index({ published: 1, endAt: 1 });
campaignSchema.index({ createdAt: -1 });

export function campaignModel(db: Connection): Model<CampaignDoc> {
  return (db.models.Campaign as Model<CampaignDoc>) ?? db.model<CampaignDoc>('Campaign', campaignSchema);
}

/**
 * Per campaign and Beijing day: the results counters, maintained by the case-event
 * subscriber. `applied` holds the ids of the effects already counted, so the counter
 * and its marker change in one single-document update (exactly once).
 */
export interface CampaignDayDoc {
  _id: string;
  campaignId: string;
  date: string;
  received: number;
  filed: number;
  closed: number;
  closedOnTime: number;
  applied: string[];
}

const campaignDaySchema = new Schema<CampaignDayDoc>(
  {
    _id: { type: String, required: true },
    campaignId: { type: String, required: true },
    date: { type: String, required: true },
    received: { type: Number, default: 0 },
    filed: { type: Number, default: 0 },
    closed: { type: Number, default: 0 },
    closedOnTime: { type: Number, default: 0 },
    applied: { type: [String], default: [] },
  },
  { collection: 'campaign_days', versionKey: false },
);
campaignDaySchema.index({ campaignId: 1, date: 1 });

export function campaignDayModel(db: Connection): Model<CampaignDayDoc> {
  return (db.models.CampaignDay as Model<CampaignDayDoc>) ?? db.model<CampaignDayDoc>('CampaignDay', campaignDaySchema);
}

/** A citizen who took part (reported or backed), once per campaign: `_id` is `<campaignId>:<citizenId>`. */
export interface CampaignParticipantDoc {
  _id: string;
  campaignId: string;
  citizenId: string;
  /** When the citizen's account was created: "new citizens" are counted against the campaign window. */
  citizenCreatedAt: Date | null;
  firstAt: Date;
}

const participantSchema = new Schema<CampaignParticipantDoc>(
  {
    _id: { type: String, required: true },
    campaignId: { type: String, required: true },
    citizenId: { type: String, required: true },
    citizenCreatedAt: { type: Date, default: null },
    firstAt: { type: Date, required: true },
  },
  { collection: 'campaign_participants', versionKey: false },
);
participantSchema.index({ campaignId: 1, citizenCreatedAt: 1 });

export function campaignParticipantModel(db: Connection): Model<CampaignParticipantDoc> {
  return (
    (db.models.CampaignParticipant as Model<CampaignParticipantDoc>) ?? db.model<CampaignParticipantDoc>('CampaignParticipant', participantSchema)
  );
}

/** A citizen's wish to hear when a campaign for their district goes live: `_id` is `<citizenId>:<districtId>`. */
export interface CampaignSubscriptionDoc {
  _id: string;
  citizenId: string;
  districtId: string;
  createdAt: Date;
}

const subscriptionSchema = new Schema<CampaignSubscriptionDoc>(
  {
    _id: { type: String, required: true },
    citizenId: { type: String, required: true },
    districtId: { type: String, required: true },
    createdAt: { type: Date, required: true },
  },
  { collection: 'campaign_subscriptions', versionKey: false },
);
subscriptionSchema.index({ districtId: 1 });
subscriptionSchema.index({ citizenId: 1 });

export function campaignSubscriptionModel(db: Connection): Model<CampaignSubscriptionDoc> {
  return (
    (db.models.CampaignSubscription as Model<CampaignSubscriptionDoc>) ??
    db.model<CampaignSubscriptionDoc>('CampaignSubscription', subscriptionSchema)
  );
}
