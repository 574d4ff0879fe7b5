import apiGlobalSetup from '../../api/test/helpers/global-setup';

declare global {
  // eslint-disable-next-line no-var
  var __E2E_SHARES_DATABASE__: boolean | undefined;
}

/**
 * The API tests' database setup, reused. In a full run (root jest config) the API
 * project's setup has already started the server in this process: share it rather
 * than start a second one (its teardown stops it).
 */
export default async function globalSetup(): Promise<void> {
  if (process.env.SSP_TEST_MONGODB_URI) {
    globalThis.__E2E_SHARES_DATABASE__ = true;
    return;
  }
  await apiGlobalSetup();
}
