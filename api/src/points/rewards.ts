import type { Claim, ClaimStatus, Reward, RewardDefinition, RewardInput, StaffClaim } from '@ssp/shared';
import type { ServiceContext } from '../context';
import type { AuthService } from '../auth/service';
import type { NewMessage } from '../notifications/inbox';
import { ClaimFulfilment } from './claim-fulfilment';
import { RewardClaims } from './claims';
import type { PointsLedger } from './ledger';
import { RewardCatalogue } from './reward-catalogue';

/**
 * Rewards, one module per job: the catalogue (reward-catalogue.ts), claiming with its
 * all-or-nothing steps (claims.ts) and staff fulfilment with the CSV export
 * (claim-fulfilment.ts). This class is what the points domain and its routes call.
 */
export class RewardService {
  private readonly catalogue: RewardCatalogue;
  private readonly claims: RewardClaims;
  private readonly fulfilment: ClaimFulfilment;

  constructor(
    ctx: ServiceContext,
    ledger: PointsLedger,
    auth: AuthService,
    definitions: RewardDefinition[],
    tell?: (message: NewMessage) => Promise<void>,
  ) {
    this.catalogue = new RewardCatalogue(ctx, definitions);
    this.claims = new RewardClaims(ctx, ledger, auth, this.catalogue);
    this.fulfilment = new ClaimFulfilment(ctx, this.claims, auth, tell);
  }

  // catalogue
  ensureCatalogue(): Promise<void> {
    return this.catalogue.ensureCatalogue();
  }
  listActive(): Promise<Reward[]> {
    return this.catalogue.listActive();
  }
  listAll(): Promise<(Reward & { unitsHeld: number })[]> {
    return this.catalogue.listAll();
  }
  upsertReward(id: string, input: RewardInput): Promise<Reward> {
    return this.catalogue.upsertReward(id, input);
  }

  // citizens' claims
  claim(citizenId: string, rewardId: string, clientRequestId?: string): Promise<{ created: boolean; claim: Claim }> {
    return this.claims.claim(citizenId, rewardId, clientRequestId);
  }
  listMine(citizenId: string, q: { cursor?: string; limit: number }): Promise<{ items: Claim[]; nextCursor: string | null }> {
    return this.claims.listMine(citizenId, q);
  }
  repair(): Promise<number> {
    return this.claims.repair();
  }

  // staff fulfilment
  listForStaff(q: { status?: ClaimStatus; cursor?: string; limit: number }): Promise<{ items: StaffClaim[]; nextCursor: string | null }> {
    return this.fulfilment.listForStaff(q);
  }
  fulfil(claimId: string, code: string, staffId: string): Promise<StaffClaim> {
    return this.fulfilment.fulfil(claimId, code, staffId);
  }
  fail(claimId: string, reason: string, staffId: string): Promise<StaffClaim> {
    return this.fulfilment.fail(claimId, reason, staffId);
  }
  markDelivered(claimId: string, staffId: string): Promise<StaffClaim> {
    return this.fulfilment.markDelivered(claimId, staffId);
  }
  exportCsv(status: 'pending' | 'fulfilled' | 'failed', withFullPhone: boolean): Promise<string> {
    return this.fulfilment.exportCsv(status, withFullPhone);
  }
}
