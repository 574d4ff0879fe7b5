import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import {
  type CaseState,
  gcj02ToWgs84,
  wgs84ToGcj02,
  type Open311Request,
  type Open311Service as Open311ServiceEntry,
  open311CreateSchema,
  open311QuerySchema,
} from '@ssp/shared';
import type { ServiceContext } from '../context';
import { ApiError } from '../core/errors';
import { maskText } from '../core/mask';
import type { CatalogueService } from '../catalogue/service';
import type { CaseDoc } from '../cases/models';
import type { CaseQueries } from '../cases/queries';
import type { CaseWorkflow } from '../cases/workflow';

/** Cases the public may see: accepted into the official flow (pending, withdrawn and rejected ones never). */
const PUBLISHED_STATES: CaseState[] = ['filed', 'forwarded', 'dispatched', 'processing', 'postponed', 'handled', 'closed'];
const MAX_RESULTS = 1000;
const DEFAULT_WINDOW_DAYS = 90;

const STATUS_NOTES: Partial<Record<CaseState, string>> = {
  pending: '待受理',
  filed: '已立案',
  forwarded: '已转办上级平台',
  dispatched: '已派遣',
  processing: '处理中',
  postponed: '缓办',
  handled: '已处理，待核查',
  closed: '已结案',
};

/** Public positions to three decimals (about 100 m): a grid, not a doorstep. */
const roundCoordinate = (v: number) => Math.round(v * 1000) / 1000;
/** A client sees the requests it sent itself where it put them (to about 0.1 m). */
const exactCoordinate = (v: number) => Math.round(v * 1e6) / 1e6;

/** Open311 GeoReport v2 over the same cases and categories as the rest of the API. */
export class Open311Service {
  constructor(
    private readonly ctx: ServiceContext,
    private readonly workflow: CaseWorkflow,
    private readonly catalogue: CatalogueService,
    private readonly cases: CaseQueries,
  ) {}

  /** The client name for an API key, or a 403 as the specification asks. */
  clientFor(apiKey: string | undefined): string {
    const client = apiKey ? this.ctx.config.open311.apiKeys.get(apiKey) : undefined;
    if (!client) throw new ApiError(403, 'FORBIDDEN', 'Invalid api_key');
    return client;
  }

  /** Optional key on reads: a known client also sees the requests it sent that are not yet public. */
  optionalClient(apiKey: string | undefined): string | null {
    return apiKey ? (this.ctx.config.open311.apiKeys.get(apiKey) ?? null) : null;
  }

  async discovery(baseUrl: string) {
    const city = await this.catalogue.getCity();
    return {
      changeset: '2026-11-22T00:00:00+08:00',
      contact: `${city.name}数字城管指挥中心`,
      key_service: `向${city.name}数字城管指挥中心申请 Open311 api_key`,
      endpoints: [
        {
          specification: 'http://wiki.open311.org/GeoReport_v2',
          url: `${baseUrl}/open311/v2`,
          changeset: '2026-11-22T00:00:00+08:00',
          type: 'production',
          formats: ['application/json', 'text/xml'],
        },
      ],
    };
  }

  async services(): Promise<Open311ServiceEntry[]> {
    const categories = await this.catalogue.allCategories();
    return categories
      .filter((c) => c.publicReportable)
      .map((c) => ({
        service_code: c.id,
        service_name: c.name,
        description: `${c.family === 'component' ? '部件' : '事件'} · ${c.majorName} · ${c.name}（类别代码 ${c.code}）`,
        metadata: false,
        type: 'realtime' as const,
        keywords: (c.keywords ?? []).join(','),
        group: c.majorName,
      }));
  }

  async serviceDefinition(code: string) {
    const services = await this.services();
    if (!services.some((s) => s.service_code === code)) throw new ApiError(404, 'NOT_FOUND', `Unknown service_code ${code}`);
    return { service_code: code, attributes: [] };
  }

  async create(input: z.output<typeof open311CreateSchema>) {
    const client = this.clientFor(input.api_key);
    const category = (await this.catalogue.allCategories()).find((c) => c.id === input.service_code && c.publicReportable);
    if (!category) throw new ApiError(404, 'NOT_FOUND', `Unknown service_code ${input.service_code}`);
    const location = wgs84ToGcj02({ lat: input.lat, lng: input.long });
    const area = await this.catalogue.locate(location.lat, location.lng);
    if (!area) throw new ApiError(400, 'OUTSIDE_SERVICE_AREA', 'lat/long is outside the service area');
    const doc = await this.workflow.create(
      {
        source: 'open311',
        reporterId: null,
        open311Client: client,
        clientRequestId: null,
        idempotencyKey: `open311:${client}:${randomUUID()}`,
        anonymous: true,
        campaignId: null,
        categoryId: category.id,
        categoryName: category.name,
        family: category.family,
        majorCode: category.majorCode,
        description: input.description ?? '',
        address: input.address_string ?? null,
        location,
        gridId: area.grid.id,
        streetId: area.street.id,
        districtId: area.district.id,
        photoIds: [],
      },
      { role: 'system', id: `open311:${client}` },
    );
    return {
      service_request_id: doc.caseNo,
      service_notice: '已收到，将由指挥中心受理；受理前不对外公开',
      account_id: null,
    };
  }

  async list(query: z.output<typeof open311QuerySchema>, client: string | null): Promise<Open311Request[]> {
    const visibility = client
      ? { $or: [{ state: { $in: PUBLISHED_STATES } }, { open311Client: client, state: 'pending' }] }
      : { state: { $in: PUBLISHED_STATES } };
    const filter: Record<string, unknown> = { ...visibility };
    if (query.service_request_id) {
      filter.caseNo = {
        $in: query.service_request_id
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
      };
    } else {
      if (query.service_code) filter.categoryId = { $in: query.service_code.split(',').map((s) => s.trim()) };
      const end = query.end_date ?? this.ctx.clock.now();
      const start = query.start_date ?? new Date(end.getTime() - DEFAULT_WINDOW_DAYS * 86_400_000);
      if (start > end) throw new ApiError(400, 'VALIDATION_FAILED', 'start_date must be before end_date');
      filter.createdAt = { $gte: start, $lte: end };
      if (query.status && query.status.includes(',') === false) {
        filter.state =
          query.status === 'closed' ? 'closed' : { $in: [...PUBLISHED_STATES.filter((s) => s !== 'closed'), ...(client ? ['pending'] : [])] };
      }
    }
    const { items: docs } = await this.cases.newest(filter, { limit: MAX_RESULTS, select: { events: 0, effects: 0, supporterIds: 0 } });
    const departments = new Map((await this.catalogue.listDepartments()).map((d) => [d.id, d.name]));
    return Promise.all(docs.map((d) => this.toRequest(d, departments, client)));
  }

  async get(id: string, client: string | null): Promise<Open311Request> {
    const [found] = await this.list({ service_request_id: id }, client);
    if (!found || found.service_request_id !== id) throw new ApiError(404, 'NOT_FOUND', `Unknown service_request_id ${id}`);
    return found;
  }

  private async toRequest(doc: CaseDoc, departments: Map<string, string>, client: string | null): Promise<Open311Request> {
    const area = await this.catalogue.locate(doc.location.lat, doc.location.lng);
    const wgs84 = gcj02ToWgs84(doc.location);
    const coordinate = client !== null && doc.open311Client === client ? exactCoordinate : roundCoordinate;
    const state = doc.state as CaseState;
    return {
      service_request_id: doc.caseNo,
      status: state === 'closed' ? 'closed' : 'open',
      status_notes: STATUS_NOTES[state] ?? null,
      service_name: doc.categoryName,
      service_code: doc.categoryId,
      // Citizens' words, with phone numbers and openids masked.
      description: doc.description ? maskText(doc.description) : null,
      agency_responsible: doc.departmentId ? (departments.get(doc.departmentId) ?? null) : null,
      service_notice: null,
      requested_datetime: doc.createdAt.toISOString(),
      updated_datetime: doc.updatedAt.toISOString(),
      expected_datetime: doc.deadline ? doc.deadline.toISOString() : null,
      address: area ? `${area.district.name} ${area.street.name} ${area.grid.name}` : null,
      address_id: doc.gridId,
      zipcode: null,
      lat: coordinate(wgs84.lat),
      long: coordinate(wgs84.lng),
      // Photos may show people or number plates: not published through Open311.
      media_url: null,
    };
  }
}
