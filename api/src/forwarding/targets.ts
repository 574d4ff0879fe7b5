import { matchForwardingRule, type ForwardingAdminView, type ForwardingConfig, type ForwardingTarget, type ForwardingTargetList } from '@ssp/shared';
import type { Logger } from 'pino';
import { validationFailed } from '../core/errors';
import type { CaseDoc } from '../cases/models';

const MIN_SECRET_LENGTH = 16;

/** The external platforms of forwarding.json, their routing rules and their shared secrets (from the environment). */
export class ForwardingTargets {
  private readonly secrets = new Map<string, string>();

  constructor(
    /** forwarding.json of the city profile; null: forwarding is off. */
    private readonly config: ForwardingConfig | null,
    logger: Logger,
  ) {
    for (const target of this.config?.targets ?? []) {
      const secret = process.env[target.secretEnv];
      if (secret && secret.length >= MIN_SECRET_LENGTH) this.secrets.set(target.id, secret);
      else {
        logger.warn(
          { targetId: target.id, secretEnv: target.secretEnv },
          `forwarding target has no usable secret (set ${target.secretEnv}, at least ${MIN_SECRET_LENGTH} characters); its deliveries wait and its callbacks are refused`,
        );
      }
    }
  }

  /** The secret a target signs with, if one is configured. */
  secretOf(targetId: string): string | undefined {
    return this.secrets.get(targetId);
  }

  /** Targets and rules as administrators see them: URLs and which secrets are set, never the secrets. */
  adminView(): Pick<ForwardingAdminView, 'enabled' | 'targets' | 'rules'> {
    return {
      enabled: this.enabled,
      targets: (this.config?.targets ?? []).map((t) => ({
        id: t.id,
        name: t.name,
        url: t.url,
        timeoutMs: t.timeoutMs,
        secretEnv: t.secretEnv,
        secretConfigured: this.secrets.has(t.id),
      })),
      rules: this.config?.rules ?? [],
    };
  }

  get enabled(): boolean {
    return this.config !== null;
  }

  target(id: string): ForwardingTarget | undefined {
    return this.config?.targets.find((t) => t.id === id);
  }

  /** A configured target, or a 400 naming `field` (for a desk's manual forward). */
  requireTarget(targetId: string, field = 'targetId'): ForwardingTarget {
    const target = this.target(targetId);
    if (!target) throw validationFailed([{ field, issue: this.enabled ? `unknown forwarding target ${targetId}` : 'forwarding is not configured' }]);
    return target;
  }

  /** The targets staff may forward to (no URLs, no secrets). */
  targetList(): ForwardingTargetList {
    return { enabled: this.enabled, targets: (this.config?.targets ?? []).map((t) => ({ id: t.id, name: t.name })) };
  }

  /** The target the rules send this case to, if any. */
  matchTarget(doc: Pick<CaseDoc, 'categoryId' | 'districtId' | 'streetId'>): ForwardingTarget | null {
    const rule = this.config ? matchForwardingRule(this.config.rules, doc) : null;
    return rule ? (this.target(rule.targetId) ?? null) : null;
  }
}
