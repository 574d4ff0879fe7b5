import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import {
  forwardingConfigSchema,
  pointsRulesSchema,
  rewardsFileSchema,
  type ForwardingConfig,
  type PointsRules,
  type RewardDefinition,
} from '@ssp/shared';
import { CITY_FILES, type CityPart } from './catalogue/validate';

/**
 * The deployment's city, read once from its folder (`CITY_DATA_DIR`, formats in
 * data/cities/README.md): every file through one reader (a UTF-8 BOM, as Windows
 * editors write it, is dropped). The settings files are validated here and a bad one
 * stops start-up naming the file and field; the catalogue files are read when the
 * database is first loaded from them and validated there, with their cross-references,
 * as the same data sent to the admin API is.
 */
export interface CityProfile {
  dir: string;
  /** points.json: no file, no points are awarded. */
  pointsRules: PointsRules | null;
  /** rewards.json: the reward catalogue a deployment starts with; none without the file. */
  rewards: RewardDefinition[];
  /** forwarding.json: no file, forwarding is off. */
  forwarding: ForwardingConfig | null;
  /** city.json, categories.json, departments.json, areas.geojson, calendar.json: read on first use, then kept. */
  catalogueFiles(): CatalogueFiles;
}

export const SETTINGS_FILES = { pointsRules: 'points.json', rewards: 'rewards.json', forwarding: 'forwarding.json' } as const;

export class CityProfileError extends Error {
  override name = 'CityProfileError';
}

/** One file of the folder as read: absent, its JSON, or why it is not JSON. */
export type CityFileRead = { file: string } & ({ state: 'missing' } | { state: 'json'; json: unknown } | { state: 'not-json'; reason: string });

export type CatalogueFiles = Record<CityPart, CityFileRead>;

/** Reads one file of a city folder: BOM dropped, JSON parsed; never throws for a missing or broken file. */
export function readCityFile(dir: string, name: string): CityFileRead {
  const file = path.join(dir, name);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return { file, state: 'missing' };
  }
  try {
    return { file, state: 'json', json: JSON.parse(text.replace(/^\uFEFF/, '')) };
  } catch (err) {
    return { file, state: 'not-json', reason: (err as Error).message };
  }
}

/** A settings file validated: null when absent; a CityProfileError naming the file and every field at fault otherwise. */
function readSettingsFile<S extends z.ZodType>(dir: string, name: string, schema: S): z.output<S> | null {
  const read = readCityFile(dir, name);
  if (read.state === 'missing') return null;
  if (read.state === 'not-json') throw new CityProfileError(`${read.file}: not valid JSON (${read.reason})`);
  const parsed = schema.safeParse(read.json);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.') || '(root)'}: ${issue.message}`);
    throw new CityProfileError(`${read.file} is invalid:\n${lines.join('\n')}`);
  }
  return parsed.data;
}

/** The catalogue files of a folder, as read (validated by the catalogue when it loads them). */
export function readCatalogueFiles(dir: string): CatalogueFiles {
  const entries = (Object.keys(CITY_FILES) as CityPart[]).map((part) => [part, readCityFile(dir, CITY_FILES[part])] as const);
  return Object.fromEntries(entries) as CatalogueFiles;
}

/** Reads a city folder; throws a CityProfileError for a bad settings file. A missing folder is a city without settings. */
export function loadCityProfile(dir: string): CityProfile {
  let catalogue: CatalogueFiles | undefined;
  return {
    dir,
    pointsRules: readSettingsFile(dir, SETTINGS_FILES.pointsRules, pointsRulesSchema),
    rewards: readSettingsFile(dir, SETTINGS_FILES.rewards, rewardsFileSchema) ?? [],
    forwarding: readSettingsFile(dir, SETTINGS_FILES.forwarding, forwardingConfigSchema),
    catalogueFiles: () => (catalogue ??= readCatalogueFiles(dir)),
  };
}
