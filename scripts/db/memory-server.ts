/**
 * A real `mongod` through mongodb-memory-server, the Node ecosystem's standard way to get one:
 * it fetches the right binary for this OS from MongoDB's download site once and caches it
 * (~/.cache/mongodb-binaries). Machines that cannot reach that site are detected in a few
 * seconds, before any download starts.
 */
import https from 'node:https';
import { DryMongoBinary, MongoBinary } from 'mongodb-memory-server-core';
import { MongoBinaryDownloadUrl } from 'mongodb-memory-server-core/lib/util/MongoBinaryDownloadUrl';

const REACH_TIMEOUT_MS = 4000;

export type BinaryLookup = { path: string } | { unavailable: string };

export async function memoryServerBinary(log: (msg: string) => void): Promise<BinaryLookup> {
  try {
    const options = await DryMongoBinary.generateOptions();
    const cached = await DryMongoBinary.locateBinary(options);
    if (cached) return { path: cached };
    const url = await new MongoBinaryDownloadUrl(options).getDownloadUrl();
    const reach = await reachable(url);
    if (reach !== true) return { unavailable: `cannot reach ${new URL(url).host} to fetch mongod ${options.version} (${reach})` };
    log(`Fetching mongod ${options.version} with mongodb-memory-server (first run only)…`);
    return { path: await MongoBinary.getPath(options) };
  } catch (err) {
    return { unavailable: `mongodb-memory-server failed: ${(err as Error).message.split('\n')[0]}` };
  }
}

function reachable(url: string): Promise<true | string> {
  return new Promise((resolve) => {
    const request = https.request(url, { method: 'HEAD', timeout: REACH_TIMEOUT_MS }, (response) => {
      response.resume();
      resolve(response.statusCode !== undefined && response.statusCode < 400 ? true : `HTTP ${response.statusCode}`);
    });
    request.on('timeout', () => {
      request.destroy();
      resolve(`no answer in ${REACH_TIMEOUT_MS / 1000} s`);
    });
    request.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
    request.end();
  });
}
