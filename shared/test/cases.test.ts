import {
  ACTOR_ROLES,
  CASE_ACTIONS,
  CASE_STATES,
  CITIZEN_STATUS_OF,
  TRANSITIONS,
  allowedActions,
  canTransition,
  nextState,
  statesForCitizenStatus,
} from '../src';

describe('case state machine', () => {
  it('allows each transition only from its states and for its roles', () => {
    let legal = 0;
    for (const action of CASE_ACTIONS) {
      const rule = TRANSITIONS[action];
      for (const state of CASE_STATES) {
        for (const role of ACTOR_ROLES) {
          const flags = { postponeRequested: true, reopenRequested: true, reporterMayConfirm: true, rated: true };
          const noFlags = { postponeRequested: false, reopenRequested: false, reporterMayConfirm: false, rated: false };
          const expected = rule.from.includes(state) && rule.roles.includes(role);
          const allowed = canTransition(action, state, role, flags) || canTransition(action, state, role, noFlags);
          expect({ action, state, role, allowed }).toEqual({ action, state, role, allowed: expected });
          if (expected) legal += 1;
        }
      }
    }
    expect(legal).toBeGreaterThan(25);
  });

  it('follows the official path from report to closure', () => {
    const path: [string, string][] = [
      ['file', 'operator'],
      ['dispatch', 'dispatcher'],
      ['accept_task', 'department'],
      ['report_handled', 'department'],
      ['verify_pass', 'supervisor'],
    ];
    let state: (typeof CASE_STATES)[number] = 'pending';
    for (const [action, role] of path) {
      expect(canTransition(action as never, state, role as never)).toBe(true);
      state = nextState(action as never, state);
    }
    expect(state).toBe('closed');
  });

  it('refuses a sample of illegal moves', () => {
    expect(canTransition('dispatch', 'pending', 'dispatcher')).toBe(false); // not filed yet
    expect(canTransition('file', 'pending', 'department')).toBe(false); // wrong role
    expect(canTransition('verify_pass', 'processing', 'supervisor')).toBe(false); // no feedback yet
    expect(canTransition('withdraw', 'filed', 'reporter')).toBe(false); // too late
    expect(canTransition('report_handled', 'dispatched', 'operator')).toBe(false);
    expect(canTransition('accept_reopen', 'closed', 'operator', { reopenRequested: false })).toBe(false);
    expect(canTransition('approve_postpone', 'processing', 'dispatcher', { postponeRequested: false })).toBe(false);
    expect(canTransition('request_postpone', 'processing', 'department', { postponeRequested: true })).toBe(false);
    expect(canTransition('confirm_fixed', 'handled', 'reporter', { reporterMayConfirm: false })).toBe(false);
    expect(canTransition('confirm_fixed', 'handled', 'reporter', { reporterMayConfirm: true })).toBe(true);
  });

  it('rework goes back to processing and postponement keeps the case open', () => {
    expect(nextState('verify_fail', 'handled')).toBe('processing');
    expect(nextState('approve_postpone', 'processing')).toBe('postponed');
    expect(nextState('request_postpone', 'processing')).toBe('processing');
    expect(nextState('return', 'dispatched')).toBe('filed');
    expect(nextState('accept_reopen', 'closed')).toBe('dispatched');
    expect(nextState('external_update', 'forwarded', 'closed')).toBe('closed');
    expect(() => nextState('external_update', 'forwarded', 'pending')).toThrow();
  });

  it('offers each role only its own actions', () => {
    expect(allowedActions('pending', 'operator')).toEqual(['reject', 'merge', 'file']);
    expect(allowedActions('pending', 'reporter')).toEqual(['withdraw']);
    expect(allowedActions('pending', 'citizen')).toEqual(['support']);
    expect(allowedActions('closed', 'reporter')).toEqual(['request_reopen', 'rate']);
    expect(allowedActions('closed', 'reporter', { rated: true })).toEqual([]);
    expect(allowedActions('dispatched', 'department')).toEqual(['accept_task', 'return', 'request_postpone', 'report_handled']);
    expect(allowedActions('handled', 'supervisor')).toEqual(['verify_pass', 'verify_fail']);
    expect(allowedActions('closed', 'operator', { reopenRequested: true })).toEqual(['accept_reopen', 'decline_reopen']);
    expect(allowedActions('closed', 'dispatcher')).toEqual([]);
  });

  it('maps every state to a citizen status and back', () => {
    for (const state of CASE_STATES) {
      expect(statesForCitizenStatus(CITIZEN_STATUS_OF[state])).toContain(state);
    }
    expect(statesForCitizenStatus('处理中').sort()).toEqual(['forwarded', 'processing']);
  });
});
