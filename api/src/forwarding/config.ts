import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { forwardingConfigSchema, type ForwardingConfig } from '@ssp/shared';

export const FORWARDING_FILE = 'forwarding.json';

export class ForwardingConfigError extends Error {
  override name = 'ForwardingConfigError';
}

/**
 * Reads the deployment's forwarding targets and rules from <cityDataDir>/forwarding.json.
 * No file means forwarding is off; a bad file stops start-up with every field at fault.
 */
export function loadForwardingConfig(cityDataDir: string): ForwardingConfig | null {
  const file = path.join(cityDataDir, FORWARDING_FILE);
  if (!existsSync(file)) return null;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ForwardingConfigError(`${file}: not valid JSON (${(err as Error).message})`);
  }
  const parsed = forwardingConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.') || '(root)'}: ${issue.message}`);
    throw new ForwardingConfigError(`${file} is invalid:\n${lines.join('\n')}`);
  }
  return parsed.data;
}
