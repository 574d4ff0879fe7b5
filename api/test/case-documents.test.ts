import mongoose, { Types } from 'mongoose';
import { getCaseModel } from '../src/cases/models';
import { newCaseDocument, type NewCase } from '../src/cases/workflow';

/**
 * A new case is built as a plain object (api/src/cases/workflow.ts `newCaseDocument`) instead
 * of a mongoose document: it must be exactly what the case schema builds from it, and valid.
 * A field added to the schema with a default and not to the builder fails here.
 */
const db = mongoose.createConnection();
afterAll(() => db.close());

const citizenReport: NewCase = {
  source: 'citizen',
  reporterId: 'citizen-1',
  clientRequestId: '7b0f2a4e-8d1c-4c55-9e0b-2f1d3c4b5a69',
  idempotencyKey: 'citizen:citizen-1:7b0f2a4e-8d1c-4c55-9e0b-2f1d3c4b5a69',
  anonymous: false,
  campaignId: 'campaign-1',
  categoryId: 'C0101',
  categoryName: '井盖缺失',
  family: 'component',
  majorCode: '01',
  description: '人行道井盖缺失',
  address: '人民路 12 号',
  location: { lat: 29.3712, lng: 113.1095 },
  gridId: 'grid-1',
  streetId: 'street-1',
  districtId: 'district-1',
  photoIds: ['p1', 'p2'],
};

const open311Request: NewCase = {
  ...citizenReport,
  source: 'open311',
  reporterId: null,
  open311Client: 'city-app',
  clientRequestId: null,
  idempotencyKey: 'open311:city-app:1',
  anonymous: true,
  campaignId: null,
  description: '',
  address: null,
  photoIds: [],
};

function build(fields: NewCase) {
  const _id = new Types.ObjectId();
  const actor =
    fields.source === 'citizen' ? { role: 'reporter' as const, id: fields.reporterId } : { role: 'system' as const, id: 'open311:city-app' };
  const now = new Date('2026-12-04T08:00:00Z');
  return newCaseDocument(fields, { _id, caseNo: '20261204-00001', actor, publicNote: null, effects: [`${_id}:1:stats`], now });
}

describe('a new case document', () => {
  it.each([
    ['a citizen report', citizenReport],
    ['an Open311 request', open311Request],
  ])('built for %s is what the case schema builds from it, and valid', async (_name, fields) => {
    const built = build(fields);
    const Case = getCaseModel(db);
    const hydrated = new Case(built);
    await expect(hydrated.validate()).resolves.toBeUndefined();
    expect(built).toStrictEqual({ ...hydrated.toObject(), __v: 0 });
    // Every path of the schema is present (a default the builder missed would be absent).
    for (const path of Object.keys(Case.schema.paths)) {
      const top = path.split('.')[0]!;
      if (top !== 'shareContact') expect(built).toHaveProperty(top);
    }
  });
});
