import { Schema, type Connection, type Model, type Types } from 'mongoose';
import type { MessageKind } from '@ssp/shared';

/**
 * The notifications domain owns two collections: the message centre (`citizen_messages`)
 * and what each citizen granted in WeChat's subscribe popup (`subscribe_quotas`).
 */

export interface CitizenMessageDoc {
  _id: Types.ObjectId;
  /** What made the message, so a retried effect adds it once (e.g. the case effect id). */
  key: string;
  citizenId: string;
  kind: MessageKind;
  title: string;
  body: string;
  page: string | null;
  at: Date;
  readAt: Date | null;
}

const messageSchema = new Schema<CitizenMessageDoc>(
  {
    key: { type: String, required: true },
    citizenId: { type: String, required: true },
    kind: { type: String, required: true },
    title: { type: String, required: true },
    body: { type: String, default: '' },
    page: { type: String, default: null },
    at: { type: Date, required: true },
    readAt: { type: Date, default: null },
  },
  { collection: 'citizen_messages', versionKey: false },
);
messageSchema.index({ key: 1 }, { unique: true });
messageSchema.index({ citizenId: 1, at: -1, _id: -1 });
messageSchema.index({ citizenId: 1, readAt: 1 });

export interface SubscribeQuotaDoc {
  /** `${citizenId}|${templateId}` */
  _id: string;
  citizenId: string;
  templateId: string;
  /** Sends left of a one-time template. */
  remaining: number;
  /** A long-term template the citizen accepted (any number of sends). */
  longTerm: boolean;
  updatedAt: Date;
}

const quotaSchema = new Schema<SubscribeQuotaDoc>(
  {
    _id: { type: String, required: true },
    citizenId: { type: String, required: true },
    templateId: { type: String, required: true },
    remaining: { type: Number, required: true, default: 0 },
    longTerm: { type: Boolean, required: true, default: false },
    updatedAt: { type: Date, required: true },
  },
  { collection: 'subscribe_quotas', versionKey: false },
);
quotaSchema.index({ citizenId: 1 });

export const getCitizenMessageModel = (db: Connection): Model<CitizenMessageDoc> =>
  (db.models.CitizenMessage as Model<CitizenMessageDoc>) ?? db.model<CitizenMessageDoc>('CitizenMessage', messageSchema);

export const getSubscribeQuotaModel = (db: Connection): Model<SubscribeQuotaDoc> =>
  (db.models.SubscribeQuota as Model<SubscribeQuotaDoc>) ?? db.model<SubscribeQuotaDoc>('SubscribeQuota', quotaSchema);
