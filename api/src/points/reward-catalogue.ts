import { REWARD_KIND_NAMES_ZH, type Reward, type RewardDefinition, type RewardInput } from '@ssp/shared';
import type { ServiceContext } from '../context';
import { getClaimModel, getPointsMetaModel, getRewardModel, type RewardDoc } from './models';
import { isDuplicateKeyError } from '../db';

export function toReward(r: RewardDoc): Reward {
  return {
    id: r._id,
    name: r.name,
    kind: r.kind,
    kindName: REWARD_KIND_NAMES_ZH[r.kind],
    description: r.description ?? '',
    costPoints: r.costPoints,
    stockLeft: r.stock,
    perCitizenLimit: r.perCitizenLimit ?? null,
    limitPeriod: r.limitPeriod,
    activeFrom: r.activeFrom.toISOString(),
    activeTo: r.activeTo.toISOString(),
    imageUrl: r.imageUrl ?? null,
    needsPhone: r.kind === 'phone_credit',
  };
}

/** The rewards citizens can claim: seeded from rewards.json once, then edited by administrators. */
export class RewardCatalogue {
  private seeding?: Promise<void>;

  constructor(
    private readonly ctx: ServiceContext,
    private readonly definitions: RewardDefinition[],
  ) {}

  private get Reward() {
    return getRewardModel(this.ctx.db);
  }
  private get Claim() {
    return getClaimModel(this.ctx.db);
  }

  /** Loads rewards.json into the catalogue once per database (later edits are made over the admin API). */
  ensureCatalogue(): Promise<void> {
    this.seeding ??= this.seed().catch((err: unknown) => {
      this.seeding = undefined;
      throw err;
    });
    return this.seeding;
  }

  private async seed(): Promise<void> {
    await Promise.all([this.Claim.createIndexes(), this.Reward.createIndexes()]);
    const Meta = getPointsMetaModel(this.ctx.db);
    if (await Meta.findById('rewards-seeded').lean()) return;
    const now = this.ctx.clock.now();
    for (const def of this.definitions) {
      const { id, ...fields } = def;
      try {
        await this.Reward.updateOne(
          { _id: id },
          { $setOnInsert: { ...this.rewardFields(fields), holds: [], createdAt: now, updatedAt: now } },
          { upsert: true },
        );
      } catch (err) {
        if (!isDuplicateKeyError(err)) throw err;
      }
    }
    await Meta.updateOne({ _id: 'rewards-seeded' }, { $setOnInsert: { at: now } }, { upsert: true }).catch((err: unknown) => {
      if (!isDuplicateKeyError(err)) throw err;
    });
  }

  private rewardFields(input: RewardInput) {
    return {
      name: input.name,
      kind: input.kind,
      description: input.description,
      costPoints: input.costPoints,
      stock: input.stock,
      perCitizenLimit: input.perCitizenLimit,
      limitPeriod: input.limitPeriod,
      activeFrom: new Date(input.activeFrom),
      activeTo: new Date(input.activeTo),
      imageUrl: input.imageUrl,
    };
  }

  /** What citizens can claim now, cheapest first. */
  async listActive(): Promise<Reward[]> {
    await this.ensureCatalogue();
    const now = this.ctx.clock.now();
    const docs = await this.Reward.find({ activeFrom: { $lte: now }, activeTo: { $gte: now } })
      .select({ holds: 0 })
      .sort({ costPoints: 1, _id: 1 })
      .lean<RewardDoc[]>();
    return docs.map(toReward);
  }

  async listAll(): Promise<(Reward & { unitsHeld: number })[]> {
    await this.ensureCatalogue();
    const docs = await this.Reward.find().sort({ _id: 1 }).lean<RewardDoc[]>();
    return docs.map((d) => ({ ...toReward(d), unitsHeld: d.holds?.length ?? 0 }));
  }

  /** Creates or changes a reward; `stock` sets the units left from now on (units already claimed stay claimed). */
  async upsertReward(id: string, input: RewardInput): Promise<Reward> {
    await this.ensureCatalogue();
    const now = this.ctx.clock.now();
    const doc = await this.Reward.findOneAndUpdate(
      { _id: id },
      { $set: { ...this.rewardFields(input), updatedAt: now }, $setOnInsert: { holds: [], createdAt: now } },
      { upsert: true, returnDocument: 'after' },
    ).lean<RewardDoc>();
    return toReward(doc!);
  }
}
