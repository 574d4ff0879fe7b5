import type { Page } from 'playwright-core';
import { createApiClient, fetchTransport, type ApiClient } from '@ssp/shared';
import { storageValue } from './browser';

/** The API's typed client (shared/src/client.ts), as the citizen signed in on `page` (its stored access token). */
export async function citizenClient(page: Page, apiUrl: string): Promise<ApiClient> {
  const session = await storageValue<{ accessToken: string }>(page, 'ssp.session.citizen');
  if (!session) throw new Error('no citizen session on this page');
  return clientWithToken(apiUrl, session.accessToken);
}

/** The API's typed client signed in as a staff account. */
export async function staffClient(apiUrl: string, username: string, password: string): Promise<ApiClient> {
  const { accessToken } = await publicClient(apiUrl).call('staffLogin', { body: { username, password } });
  return clientWithToken(apiUrl, accessToken);
}

export function publicClient(apiUrl: string): ApiClient {
  return createApiClient({ baseUrl: apiUrl, transport: fetchTransport() });
}

function clientWithToken(apiUrl: string, token: string): ApiClient {
  return createApiClient({ baseUrl: apiUrl, transport: fetchTransport(), getAccessToken: () => token });
}
