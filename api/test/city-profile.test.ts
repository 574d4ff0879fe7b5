/**
 * The deployment's city folder read once through one reader (api/src/city-profile.ts):
 * a UTF-8 BOM (Windows editors write one) is dropped from every file, and a bad settings
 * file stops start-up naming the file and the field. The catalogue's own validation of its
 * files is in catalogue.test.ts.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CityProfileError, loadCityProfile } from '../src/city-profile';
import { startTestApi, type TestApi } from './helpers/harness';

const DEMO_DIR = path.resolve(__dirname, '../../data/cities/demo');
const BOM = '\uFEFF';
const dirs: string[] = [];
let api: TestApi | undefined;

/** A copy of the demo city with every JSON file saved with a BOM. */
function demoCopyWithBoms(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ssp-city-bom-'));
  dirs.push(dir);
  cpSync(DEMO_DIR, dir, { recursive: true });
  for (const name of [
    'city.json',
    'categories.json',
    'departments.json',
    'areas.geojson',
    'calendar.json',
    'points.json',
    'rewards.json',
    'forwarding.json',
  ]) {
    writeFileSync(path.join(dir, name), BOM + readFileSync(path.join(DEMO_DIR, name), 'utf8'));
  }
  return dir;
}

afterAll(async () => {
  await api?.close();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('city profile', () => {
  it('reads every file saved with a BOM as without, and the catalogue loads from it', async () => {
    const dir = demoCopyWithBoms();
    const withBoms = loadCityProfile(dir);
    const plain = loadCityProfile(DEMO_DIR);
    expect(withBoms.pointsRules).toEqual(plain.pointsRules);
    expect(withBoms.rewards).toEqual(plain.rewards);
    expect(withBoms.forwarding).toEqual(plain.forwarding);
    expect(withBoms.forwarding?.targets.length).toBeGreaterThan(0);
    for (const [part, read] of Object.entries(withBoms.catalogueFiles())) {
      expect([part, read.state]).toEqual([part, 'json']);
    }

    // The whole app on that folder: the catalogue seeds from the profile's files.
    api = await startTestApi({ env: { CITY_DATA_DIR: dir } });
    expect(api.services.city.dir).toBe(dir);
    expect(await api.services.catalogue.seedCityDataIfEmpty()).toBe(true);
    expect((await api.services.catalogue.getCity()).id).toBe('demo');
    expect(api.services.points.rules).toEqual(plain.pointsRules);
  });

  it('reads the folder once: the catalogue files on first use, then kept', () => {
    const dir = demoCopyWithBoms();
    const profile = loadCityProfile(dir);
    const first = profile.catalogueFiles();
    rmSync(path.join(dir, 'categories.json'));
    expect(profile.catalogueFiles()).toBe(first);
    expect(loadCityProfile(dir).catalogueFiles().categories.state).toBe('missing');
  });

  it('stops with an error naming the file and the field of a bad settings file, BOM or not', () => {
    const dir = demoCopyWithBoms();
    const points = JSON.parse(readFileSync(path.join(DEMO_DIR, 'points.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(path.join(dir, 'points.json'), BOM + JSON.stringify({ ...points, supporterPoints: 'many' }));
    expect(() => loadCityProfile(dir)).toThrow(CityProfileError);
    expect(() => loadCityProfile(dir)).toThrow(`${path.join(dir, 'points.json')} is invalid:\n  supporterPoints:`);

    writeFileSync(path.join(dir, 'points.json'), BOM + JSON.stringify(points));
    writeFileSync(path.join(dir, 'forwarding.json'), `${BOM}{ "targets": [ }`);
    expect(() => loadCityProfile(dir)).toThrow(new RegExp(`forwarding\\.json: not valid JSON`));

    writeFileSync(
      path.join(dir, 'forwarding.json'),
      JSON.stringify({ targets: [{ id: 't1', name: '热线', url: 'ftp://x', secretEnv: 'FORWARD_SECRET_T1' }], rules: [] }),
    );
    expect(() => loadCityProfile(dir)).toThrow(/forwarding\.json is invalid:\n {2}targets\.0\.url:/);
  });

  it('treats a missing settings file as off, and leaves missing catalogue files to the catalogue to name', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ssp-city-empty-'));
    dirs.push(dir);
    const profile = loadCityProfile(dir);
    expect([profile.pointsRules, profile.rewards, profile.forwarding]).toEqual([null, [], null]);
    expect(profile.catalogueFiles().areas).toEqual({ file: path.join(dir, 'areas.geojson'), state: 'missing' });
  });
});
