import type { ApiClient, StaffRole } from '@ssp/shared';
import { apiClient, type TestApi } from './harness';

export interface TestStaff {
  id: string;
  role: StaffRole;
  departmentId?: string;
  displayName: string;
  token: string;
  auth: { authorization: string };
  /** The typed client, signed in as this staff member. */
  api: ApiClient;
}

let counter = 0;

/** Creates a staff account through the auth service and logs it in over HTTP. */
export async function staffLogin(api: TestApi, role: StaffRole, departmentId?: string): Promise<TestStaff> {
  counter += 1;
  const username = `${role}${counter}`;
  const password = `pass-${role}-${counter}-secret`;
  const displayName = `测试${role}${counter}`;
  await api.services.auth.createStaff({ username, password, displayName, role, departmentId });
  const body = await apiClient(api.url).call('staffLogin', { body: { username, password } });
  return {
    id: body.staff.id,
    role,
    departmentId,
    displayName,
    token: body.accessToken,
    auth: { authorization: `Bearer ${body.accessToken}` },
    api: apiClient(api.url, body.accessToken),
  };
}
