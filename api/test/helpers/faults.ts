/**
 * Helpers for the fault tests (api/test/faults-*.test.ts): a client that submits
 * report intents the way the mini-program does, timing every answer and telling a
 * lost connection (outcome unknown) apart from an HTTP answer.
 */
import { randomUUID } from 'node:crypto';
import { createApiClient, fetchTransport, type CreateReportInput } from '@ssp/shared';

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `check` until it returns true; throws naming `what` after `timeoutMs`. */
export async function waitFor(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 15_000, everyMs = 100): Promise<number> {
  const started = Date.now();
  for (;;) {
    if (
      await Promise.resolve()
        .then(check)
        .catch(() => false)
    )
      return Date.now() - started;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** One citizen's wish to report one problem; retries reuse its body and clientRequestId. */
export interface Intent {
  citizenId: string;
  auth: { authorization: string };
  body: {
    categoryId: string;
    description: string;
    location: { lat: number; lng: number };
    photoIds: string[];
    clientRequestId: string;
  };
}

export interface Attempt {
  intent: Intent;
  startedAt: number;
  ms: number;
  /** The HTTP status, or 'network' when the connection failed and the outcome is unknown. */
  status: number | 'network';
  code?: string;
  reportId?: string;
  retryAfter?: string | null;
}

export function newIntent(
  citizen: { id: string; auth: { authorization: string } },
  base: { categoryId: string; location: { lat: number; lng: number }; photoIds: string[] },
  label: string,
): Intent {
  return {
    citizenId: citizen.id,
    auth: citizen.auth,
    body: { ...base, description: `故障测试 ${label}`, clientRequestId: randomUUID() },
  };
}

/** POST /reports for an intent through the typed client; never throws (a dropped connection is `status: 'network'`). */
export async function submitIntent(baseUrl: string, intent: Intent, timeoutMs = 15_000): Promise<Attempt> {
  const startedAt = Date.now();
  const token = intent.auth.authorization.replace(/^Bearer\s+/i, '');
  const client = createApiClient({ baseUrl, transport: fetchTransport(), getAccessToken: () => token, timeoutMs });
  try {
    const res = await client.callRaw('createReport', { body: intent.body as CreateReportInput });
    const body = (res.body ?? {}) as { id?: string; error?: { code?: string } };
    return {
      intent,
      startedAt,
      ms: Date.now() - startedAt,
      status: res.status,
      code: body.error?.code,
      reportId: body.id,
      retryAfter: res.headers['retry-after'] ?? null,
    };
  } catch {
    return { intent, startedAt, ms: Date.now() - startedAt, status: 'network' };
  }
}

export const is2xx = (a: Attempt) => typeof a.status === 'number' && a.status >= 200 && a.status < 300;
