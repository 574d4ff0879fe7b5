import type { StaffRole } from '@ssp/shared';
import type { Services } from '../services';
import { seedDemoCases } from './demo-cases';

interface DemoStaff {
  username: string;
  password: string;
  displayName: string;
  role: StaffRole;
  /** Index into the demo city's departments, for department handlers. */
  departmentIndex?: number;
}

/** Fixed demo accounts: a local demo only. Production accounts are created by an admin. */
const DEMO_STAFF: DemoStaff[] = [
  { username: 'admin', password: 'demo-admin-2026', displayName: '系统管理员', role: 'admin' },
  { username: 'operator', password: 'demo-operator-2026', displayName: '受理员小王', role: 'operator' },
  { username: 'dispatcher', password: 'demo-dispatcher-2026', displayName: '派遣员老李', role: 'dispatcher' },
  { username: 'supervisor', password: 'demo-supervisor-2026', displayName: '监督员小张', role: 'supervisor' },
  { username: 'publicity', password: 'demo-publicity-2026', displayName: '宣传科小陈', role: 'publicity' },
  { username: 'dept1', password: 'demo-dept1-2026', displayName: '处置员一', role: 'department', departmentIndex: 0 },
  { username: 'dept2', password: 'demo-dept2-2026', displayName: '处置员二', role: 'department', departmentIndex: 1 },
];

/**
 * Loads the demo city once (a made-up county) and its staff accounts. Idempotent:
 * `npm start` runs it on every start and it only adds what is missing.
 */
export async function seedDemo(services: Services): Promise<string> {
  // The demo accounts' passwords are printed in the README and above: never create them in production.
  if (services.ctx.config.env === 'production') throw new Error('seed-demo creates accounts with published passwords; refused in production');
  const loadedCity = await services.catalogue.seedCityDataIfEmpty();
  const city = await services.catalogue.getCity();
  const departments = await services.catalogue.listDepartments();
  const existing = new Set((await services.auth.listStaff()).map((s) => s.username));

  const lines = [`Demo city: ${city.name}${loadedCity ? ' (loaded now)' : ''}`, '', 'Staff accounts (local demo only):'];
  for (const staff of DEMO_STAFF) {
    const department = staff.departmentIndex === undefined ? undefined : departments[staff.departmentIndex];
    if (!existing.has(staff.username)) {
      await services.auth.createStaff({
        username: staff.username,
        password: staff.password,
        displayName: staff.displayName,
        role: staff.role,
        departmentId: department?.id,
      });
    }
    const where = department ? ` · ${department.name}` : '';
    lines.push(`  ${staff.username.padEnd(11)} ${staff.password.padEnd(22)} ${staff.displayName}（${staff.role}${where}）`);
  }

  const accounts = Object.fromEntries(
    (await services.auth.listStaff()).map((s) => [s.username, { id: s.id, role: s.role, departmentId: s.departmentId ?? undefined }]),
  );
  const cases = await seedDemoCases(services.ctx, accounts);
  if (cases) lines.splice(1, 0, `Demo reports: ${cases} walked through the official flow over the last 45 days`);
  return lines.join('\n');
}
