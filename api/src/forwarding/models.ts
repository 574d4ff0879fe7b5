import { Schema, type Connection, type Model } from 'mongoose';

/**
 * A status event an external platform sent, stored once: `_id` is `<targetId>:<eventId>`.
 * Inserted before the case changes (the unique _id is the one guard that holds under
 * concurrency on every supported database), marked applied after.
 */
export interface ForwardingEventRecord {
  _id: string;
  targetId: string;
  eventId: string;
  caseId: string;
  status: string;
  occurredAt: Date;
  receivedAt: Date;
  appliedAt: Date | null;
}

const forwardingEventSchema = new Schema<ForwardingEventRecord>(
  {
    _id: { type: String, required: true },
    targetId: { type: String, required: true },
    eventId: { type: String, required: true },
    caseId: { type: String, required: true },
    status: { type: String, required: true },
    occurredAt: { type: Date, required: true },
    receivedAt: { type: Date, required: true },
    appliedAt: { type: Date, default: null },
  },
  { collection: 'forwarding_events', versionKey: false },
);

export function getForwardingEventModel(db: Connection): Model<ForwardingEventRecord> {
  return (db.models.ForwardingEvent as Model<ForwardingEventRecord>) ?? db.model<ForwardingEventRecord>('ForwardingEvent', forwardingEventSchema);
}
