import type { StaffRole } from '@ssp/shared';
import type { TestApi } from './harness';

export interface TestStaff {
  id: string;
  role: StaffRole;
  departmentId?: string;
  displayName: string;
  token: string;
  auth: { authorization: string };
}

let counter = 0;

/** Creates a staff account through the auth service and logs it in over HTTP. */
export async function staffLogin(api: TestApi, role: StaffRole, departmentId?: string): Promise<TestStaff> {
  counter += 1;
  const username = `${role}${counter}`;
  const password = `pass-${role}-${counter}-secret`;
  const displayName = `测试${role}${counter}`;
  await api.services.auth.createStaff({ username, password, displayName, role, departmentId });
  const res = await fetch(`${api.url}/auth/staff/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (res.status !== 200) throw new Error(`staff login failed: ${res.status} ${await res.text()}`);
  const body = (await res.json()) as { accessToken: string; staff: { id: string } };
  return { id: body.staff.id, role, departmentId, displayName, token: body.accessToken, auth: { authorization: `Bearer ${body.accessToken}` } };
}
