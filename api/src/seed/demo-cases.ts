import { randomUUID } from 'node:crypto';
import sharp from 'sharp';
import type { StaffAction, StaffRole } from '@ssp/shared';
import type { Clock, ServiceContext } from '../context';
import type { Principal } from '../auth/tokens';
import { createServices, type Services } from '../services';
import { seededRandom } from '../core/seeded-random';

/** A clock the seeder moves through the past, so demo statistics span weeks. */
class SeedClock implements Clock {
  private current = new Date();
  now(): Date {
    return new Date(this.current);
  }
  set(at: Date): void {
    this.current = new Date(at);
  }
}

async function demoPhoto(services: Services, ownerId: string, ownerKind: 'citizen' | 'staff', hue: number): Promise<string> {
  const jpeg = await sharp({ create: { width: 640, height: 480, channels: 3, background: { r: hue % 256, g: (hue * 7) % 256, b: 140 } } })
    .jpeg()
    .toBuffer();
  const [photo] = await services.media.save([await services.media.processImage(jpeg)], { kind: ownerKind, id: ownerId });
  return String(photo!._id);
}

const DEMO_CITIZENS = ['张阿姨', '李师傅', '王同学', '赵大爷', '陈女士', '刘先生', '周老师', '吴小妹'];

/**
 * Walks some 60 demo reports through the official flow over the last 45 days: most are
 * closed (some late, some reworked), some are still open or overdue, a few rejected.
 * Runs only on an empty cases collection.
 */
export async function seedDemoCases(
  ctx: ServiceContext,
  staffIds: Record<string, { id: string; role: StaffRole; departmentId?: string }>,
): Promise<number> {
  const clock = new SeedClock();
  const services = createServices({ ...ctx, clock });
  if ((await ctx.db.collection('cases').countDocuments()) > 0) return 0;

  const rand = seededRandom(20261122);
  const categories = (await services.catalogue.allCategories()).filter((c) => c.publicReportable);
  const popular = [...categories].sort((a, b) => (b.popularity ?? 0) - (a.popularity ?? 0)).slice(0, 8);
  const grids = (await services.catalogue.areaTree()).districts.flatMap((d) => d.streets.flatMap((s) => s.grids));
  const staff = (username: string): Extract<Principal, { kind: 'staff' }> => {
    const s = staffIds[username]!;
    return { kind: 'staff', userId: s.id, role: s.role, departmentId: s.departmentId };
  };

  const citizens: string[] = [];
  for (const [i, nickname] of DEMO_CITIZENS.entries()) {
    clock.set(new Date(Date.now() - 50 * 86_400_000));
    citizens.push((await services.auth.devLogin({ devUser: `demo${i + 1}`, nickname })).user.id);
  }

  const total = 60;
  for (let i = 0; i < total; i += 1) {
    const reportedAt = new Date(Date.now() - (45 - (i * 44) / total) * 86_400_000 + rand() * 8 * 3600_000);
    clock.set(reportedAt);
    const category = popular[Math.floor(rand() * popular.length)]!;
    const grid = grids[Math.floor(rand() * grids.length)]!;
    const citizenId = citizens[i % citizens.length]!;
    const photoId = await demoPhoto(services, citizenId, 'citizen', i * 37);
    const { doc } = await services.reports.create(citizenId, {
      categoryId: category.id,
      description: `${category.name}，请尽快处理（演示数据）`,
      location: grid.centroid,
      photoIds: [photoId],
      anonymous: i % 3 === 0,
      clientRequestId: randomUUID(),
    });
    const id = String(doc._id);
    const act = async (username: string, action: StaffAction, hoursLater: number) => {
      clock.set(new Date(clock.now().getTime() + hoursLater * 3600_000));
      const current = await services.workflow.get(id);
      return services.cases.act(staff(username), id, { ...action, version: current.version } as StaffAction);
    };

    const fate = rand();
    if (fate < 0.08) {
      await act('operator', { action: 'reject', version: 0, reason: 'invalid', publicNote: '照片无法辨认问题，请重新拍摄上报' }, 1);
      continue;
    }
    if (i >= total - 4) continue; // the newest few still wait for the desk
    const filed = await act('operator', { action: 'file', version: 0 }, 0.5 + rand());
    const departmentUser = filed.departmentId === staffIds.dept2?.departmentId ? 'dept2' : 'dept1';
    await act('dispatcher', { action: 'dispatch', version: 0, departmentId: staffIds[departmentUser]!.departmentId! }, 0.3);
    if (fate < 0.16) continue; // dispatched, not yet handled (some of these are overdue by now)
    const late = fate > 0.85;
    const handledAfter = late ? 80 + rand() * 100 : 0.5 + rand() * 2.5;
    const afterPhoto = await demoPhoto(services, staffIds[departmentUser]!.id, 'staff', i * 53 + 11);
    await act(departmentUser, { action: 'report_handled', version: 0, photoIds: [afterPhoto], publicNote: '已按要求处置完毕' }, handledAfter);
    if (fate > 0.78 && fate <= 0.85) {
      await act('supervisor', { action: 'verify_fail', version: 0, internalNote: '现场复核未达标，需返工' }, 2);
      await act(departmentUser, { action: 'report_handled', version: 0, photoIds: [afterPhoto], publicNote: '返工完成' }, 6);
    }
    if (fate < 0.22) continue; // waiting for verification
    await act('supervisor', { action: 'verify_pass', version: 0 }, 1 + rand() * 4);
    if (rand() < 0.6) {
      clock.set(new Date(clock.now().getTime() + 5 * 3600_000));
      await services.reports.rate(citizenId, id, rand() < 0.85 ? 5 : 3, rand() < 0.5 ? '处理及时，点赞' : '');
    }
  }
  return total;
}
