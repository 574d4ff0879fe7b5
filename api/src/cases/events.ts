import type { CaseAction, CaseState } from '@ssp/shared';
import type { Types } from 'mongoose';
import type { CaseDoc, CaseEffect, CaseEvent } from './models';

/*
 * The seam between the case workflow and everything that reacts to cases.
 *
 * The workflow (workflow.ts) is the only writer of cases. Each transition appends one
 * event to the case and queues one effect per subscriber; the relay (effects.ts) hands
 * each subscriber a typed `CaseEventMessage` and a read-only `CaseView` of the case as
 * it was after that event's update (or later). Subscribers register once in
 * services.ts (`relay.on(type, handler)`; a second handler of one type is an error):
 *
 *   notify    notifications/service.ts   messages to the reporter (WeChat, message centre)
 *   forward   forwarding/service.ts      hand-off to an external official platform
 *   cases     cases/service.ts           a merged duplicate's reporter backs the original
 *   campaigns campaigns/service.ts       campaign participation counts
 *   points    points/service.ts          reward points (reporter, backers, rating)
 *   stats     stats/service.ts           the statistics rollups
 *
 * Ordering guarantee, per subscriber and case:
 * - at least once: an effect runs until its handler succeeds, so handlers are idempotent
 *   (by `effect.id`, or by a unique key of what they write);
 * - in `seq` order: event n+1 is handed over only after event n succeeded, also when a
 *   handler itself transitions the case (forwarding, merge): the new event's effects run
 *   after the current round, never inside it;
 * - subscribers are independent: one failing does not hold back another;
 * - the view may be newer than the event (a retry, a later transition): decide from the
 *   event and `view.history` up to `event.seq`, not from the view's current state.
 */

/** Typed data an event carries, by action; every other action carries none (null). */
export interface CaseEventDataByAction {
  /** A citizen backs the case. */
  support: { citizenId: string };
  /** Closed as a duplicate of another case. */
  merge: { duplicateOf: string };
  /** Sent to an external platform; `auto` when a routing rule did it. */
  forward: { targetId: string; auto?: boolean };
  /** The external platform reported a state (its own event id, for idempotency). */
  external_update: { targetId: string; eventId: string; status: string; occurredAt: Date };
  /** The reporter's rating. */
  rate: { score: number };
}

export type CaseEventData<A extends CaseAction> = A extends keyof CaseEventDataByAction ? CaseEventDataByAction[A] : null;
/** The data of some action's event, as a transition request carries it. */
export type AnyCaseEventData = CaseEventDataByAction[keyof CaseEventDataByAction];

type EventCommon = Omit<CaseEvent, 'action' | 'from' | 'to' | 'data' | 'photoIds' | 'dims'> & {
  caseId: string;
  caseNo: string;
  from: CaseState | null;
  to: CaseState;
  photoIds: readonly string[];
  dims: Readonly<CaseEvent['dims']>;
};

/** One case event as subscribers see it: a union keyed by `action`, so `data` is typed once the action is known. */
export type CaseEventMessage = { [A in CaseAction]: Readonly<EventCommon & { action: A; data: CaseEventData<A> }> }[CaseAction];

type DeepReadonly<T> = T extends Date | Types.ObjectId
  ? T
  : T extends ReadonlyArray<infer U>
    ? ReadonlyArray<DeepReadonly<U>>
    : T extends object
      ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
      : T;

/** The case as subscribers may read it: no writes, and its history as typed messages. */
export type CaseView = DeepReadonly<Omit<CaseDoc, 'events' | 'effects'>> & { readonly history: readonly CaseEventMessage[] };

/** A subscriber's reaction to one event. It must be idempotent (see the ordering guarantee above). */
export type CaseEventHandler = (event: CaseEventMessage, view: CaseView, effect: CaseEffect) => Promise<void>;

export function toEventMessage(caseDoc: Pick<CaseDoc, '_id' | 'caseNo'>, event: CaseEvent): CaseEventMessage {
  return {
    ...event,
    caseId: String(caseDoc._id),
    caseNo: caseDoc.caseNo,
    from: event.from as CaseState | null,
    to: event.to as CaseState,
    // Written by the workflow from a TransitionRequest typed by action.
    data: (event.data ?? null) as CaseEventMessage['data'],
  } as CaseEventMessage;
}

export function toCaseView(caseDoc: CaseDoc): CaseView {
  const { events, effects: _effects, ...rest } = caseDoc;
  const history = [...events].sort((a, b) => a.seq - b.seq).map((e) => toEventMessage(caseDoc, e));
  return { ...rest, history };
}

/** The events of the view's history before this one, oldest first. */
export function historyBefore(view: CaseView, event: CaseEventMessage): readonly CaseEventMessage[] {
  return view.history.filter((e) => e.seq < event.seq);
}
