import { STAFF_ROLES, contract, type OperationId } from '@ssp/shared';
import { SCREENS, mayCall, screensFor, takesAction } from '../src/access';

describe('what the console offers each role', () => {
  it('shows each role the screens of its work, from the contract and the state machine', () => {
    const offered = Object.fromEntries(STAFF_ROLES.map((role) => [role, screensFor(role).map((s) => s.key)]));
    expect(offered).toEqual({
      operator: ['home', 'desk', 'stats'],
      dispatcher: ['home', 'desk', 'stats'],
      department: ['home', 'tasks', 'stats'],
      supervisor: ['home', 'verify', 'stats'],
      publicity: ['home', 'campaigns', 'stats', 'claims'],
      admin: ['home', 'campaigns', 'stats', 'staff', 'rewards', 'claims', 'points', 'forwarding', 'cityData'],
    });
  });

  it('reads access from the contract table', () => {
    expect(mayCall('department', 'uploadPhotos')).toBe(true);
    expect(mayCall('publicity', 'caseQueue')).toBe(false);
    expect(mayCall('admin', 'listStaff')).toBe(true);
    expect(mayCall('operator', 'listStaff')).toBe(false);
    // Public operations are open to everyone.
    expect(mayCall('supervisor', 'getCity')).toBe(true);
  });

  it('reads case roles from the state machine', () => {
    expect(takesAction('dispatcher', ['dispatch'])).toBe(true);
    expect(takesAction('operator', ['dispatch'])).toBe(false);
    expect(takesAction('supervisor', ['verify_pass'])).toBe(true);
  });

  it('names only operations the contract has', () => {
    const known = new Set(Object.keys(contract));
    for (const screen of SCREENS) for (const op of screen.operations) expect(known.has(op as OperationId)).toBe(true);
  });
});
