import { chooseDatabase, databaseUri, type DatabaseProbes } from '../db';

/** Probes answering as a machine with the given things would; each records whether it was asked. */
function machine(has: { mongod?: string; download?: string; java?: boolean }, env: NodeJS.ProcessEnv = {}, purpose: 'start' | 'test' = 'start') {
  const asked: string[] = [];
  const probes: DatabaseProbes = {
    purpose,
    env,
    mongodOnPath: () => (asked.push('path'), has.mongod ?? null),
    memoryServerBinary: async () => (
      asked.push('download'),
      has.download ? { path: has.download } : { unavailable: 'cannot reach the download site (ENOTFOUND)' }
    ),
    standInToolchain: () => (asked.push('java'), has.java ? {} : { missing: 'needs Java 17+ (java, javac) and Maven (mvn); missing: java' }),
  };
  return { probes, asked };
}

describe('the database provider decision order', () => {
  it('uses MONGODB_URI first and asks nothing else', async () => {
    const { probes, asked } = machine({ mongod: '/usr/bin/mongod', java: true }, { MONGODB_URI: 'mongodb://db1/city?replicaSet=rs0' });
    const decision = await chooseDatabase(probes);
    expect(decision.source).toEqual({ kind: 'given', variable: 'MONGODB_URI', uri: 'mongodb://db1/city?replicaSet=rs0' });
    expect(asked).toEqual([]);
  });

  it('reads TEST_MONGODB_URI, never MONGODB_URI, for tests (tests drop their databases)', async () => {
    const prod = machine({ java: true }, { MONGODB_URI: 'mongodb://production/city' }, 'test');
    expect((await chooseDatabase(prod.probes)).source.kind).toBe('standin');
    const given = machine({ java: true }, { TEST_MONGODB_URI: 'mongodb://127.0.0.1:27017/' }, 'test');
    expect((await chooseDatabase(given.probes)).source).toEqual({ kind: 'given', variable: 'TEST_MONGODB_URI', uri: 'mongodb://127.0.0.1:27017/' });
  });

  it('takes a mongod on PATH before downloading one', async () => {
    const { probes, asked } = machine({ mongod: '/opt/mongodb/bin/mongod', download: '/cache/mongod', java: true });
    const decision = await chooseDatabase(probes);
    expect(decision.source).toEqual({ kind: 'mongod', from: 'PATH', bin: '/opt/mongodb/bin/mongod' });
    expect(decision.passedOver).toEqual(['MONGODB_URI is not set']);
    expect(asked).toEqual(['path']);
  });

  it('fetches mongod with mongodb-memory-server when none is on PATH', async () => {
    const { probes, asked } = machine({ download: '/root/.cache/mongodb-binaries/mongod-x64-debian12-8.2.6', java: true });
    expect((await chooseDatabase(probes)).source).toEqual({
      kind: 'mongod',
      from: 'mongodb-memory-server',
      bin: '/root/.cache/mongodb-binaries/mongod-x64-debian12-8.2.6',
    });
    expect(asked).toEqual(['path', 'download']);
  });

  it('falls through to the stand-in only when no MongoDB can be had, saying why', async () => {
    const { probes, asked } = machine({ java: true });
    const decision = await chooseDatabase(probes);
    expect(decision.source).toEqual({ kind: 'standin' });
    expect(decision.passedOver).toEqual(['MONGODB_URI is not set', 'no mongod on PATH', 'cannot reach the download site (ENOTFOUND)']);
    expect(asked).toEqual(['path', 'download', 'java']);
  });

  it('stops with what to install when nothing at all can be had', async () => {
    const { probes } = machine({});
    await expect(chooseDatabase(probes)).rejects.toThrow(
      /No database can be had here.*ENOTFOUND.*missing: java[\s\S]*apt-get install -y openjdk-17-jdk-headless maven/,
    );
  });

  it('names a database on a server URI without losing its options', () => {
    expect(databaseUri('mongodb://127.0.0.1:27018/?replicaSet=rs0', 'suishoupai')).toBe('mongodb://127.0.0.1:27018/suishoupai?replicaSet=rs0');
    expect(databaseUri('mongodb://127.0.0.1:27018/', 't_1')).toBe('mongodb://127.0.0.1:27018/t_1');
  });
});
