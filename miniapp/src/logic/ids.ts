const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/**
 * An id for one report draft, sent as clientRequestId: the API returns the same report
 * for a retried submit with it. Time-prefixed, 20 characters from [A-Za-z0-9_-].
 * (Math.random is enough: the id only has to be unique per citizen.)
 */
export function newClientRequestId(now = Date.now(), random: () => number = Math.random): string {
  let id = `r${now.toString(36)}_`;
  while (id.length < 20) id += ALPHABET[Math.floor(random() * ALPHABET.length)];
  return id;
}
