import type { Services } from './services';

/**
 * Background loops of one API process: case effects left over after a failure,
 * the outboxes, and upkeep (public statistics, repairs, expired windows). Each loop runs one pass at a time; several processes may run
 * them at once because every message is claimed with a lease.
 */
export function startWorkers(services: Services, intervalMs = 2000): { stop(): Promise<void> } {
  const loops: { name: string; run: () => Promise<unknown>; every?: number }[] = [
    { name: 'case-effects', run: () => services.relay.drainPending() },
    { name: 'notifications', run: () => services.notifications.outbox.processDue() },
    { name: 'forwarding', run: () => services.forwarding.outbox.processDue() },
    { name: 'campaign-reminders', run: () => services.campaigns.notifyLiveCampaigns() },
    // Public statistics re-published before their cache expires (and once after a start), so
    // no visitor waits for the read of a city-year's cohort rows.
    { name: 'public-stats', run: () => services.stats.refreshPublished(), every: 30_000 },
    // Claims and ledger lines a crash left half-done; rare, so a slow loop.
    { name: 'points-repair', run: () => services.points.repair(), every: 60_000 },
    // Rate-limit windows that are over (MongoDB's TTL index does it too; the local stand-in has none).
    { name: 'rate-limit-windows', run: () => services.rateLimits.removeExpired(), every: 60_000 },
  ];
  let stopped = false;
  const running = new Set<Promise<unknown>>();
  const timers = loops.map(({ name, run, every }) => {
    let busy = false;
    return setInterval(() => {
      if (busy || stopped) return;
      busy = true;
      const pass = run()
        .catch((err) => services.ctx.logger.warn({ err, loop: name }, 'background loop failed'))
        .finally(() => {
          busy = false;
          running.delete(pass);
        });
      running.add(pass);
    }, every ?? intervalMs);
  });
  return {
    async stop() {
      stopped = true;
      timers.forEach(clearInterval);
      await Promise.all(running);
    },
  };
}
