import apiGlobalTeardown from '../../api/test/helpers/global-teardown';

export default async function globalTeardown(): Promise<void> {
  if (globalThis.__E2E_SHARES_DATABASE__) return;
  await apiGlobalTeardown();
}
