import { z } from 'zod';

type Def = any;

const strictCache = new WeakMap<z.ZodType, z.ZodType>();

/**
 * The schema with every object in it made strict, however deep (arrays, nullables,
 * unions, tuples, records and lazy recursion included), so an answer carrying any
 * field the public schema does not name fails. Refinements of rebuilt objects are
 * dropped: this checks which fields leave the server, not their values.
 */
export function strictDeep(schema: z.ZodType): z.ZodType {
  const cached = strictCache.get(schema);
  if (cached) return cached;
  const def: Def = (schema as any)._zod.def;
  let out: z.ZodType;
  switch (def.type) {
    case 'object':
      out = z.strictObject(Object.fromEntries(Object.entries(def.shape as Record<string, z.ZodType>).map(([k, v]) => [k, strictDeep(v)])));
      break;
    case 'array':
      out = z.array(strictDeep(def.element));
      break;
    case 'nullable':
      out = strictDeep(def.innerType).nullable();
      break;
    case 'optional':
      out = strictDeep(def.innerType).optional();
      break;
    case 'default':
    case 'prefault':
    case 'catch':
    case 'readonly':
    case 'nonoptional':
      out = strictDeep(def.innerType);
      break;
    case 'union':
      out = z.union((def.options as z.ZodType[]).map(strictDeep) as [z.ZodType, z.ZodType, ...z.ZodType[]]);
      break;
    case 'intersection':
      out = z.intersection(strictDeep(def.left), strictDeep(def.right));
      break;
    case 'tuple':
      out = def.rest
        ? z.tuple((def.items as z.ZodType[]).map(strictDeep) as [z.ZodType], strictDeep(def.rest))
        : z.tuple((def.items as z.ZodType[]).map(strictDeep) as [z.ZodType]);
      break;
    case 'record':
      out = z.record(def.keyType, strictDeep(def.valueType));
      break;
    case 'lazy':
      out = z.lazy(() => strictDeep(def.getter()));
      break;
    case 'pipe':
      // An answer is what the input side of a transform accepts.
      out = strictDeep(def.in);
      break;
    default:
      out = schema;
  }
  strictCache.set(schema, out);
  return out;
}

/**
 * Field names no public answer may carry, whatever the schema says: identities and
 * contact data of citizens and staff, credentials, and exact report positions.
 */
export const PRIVATE_FIELD =
  /^(openid|unionid|session_?key|phone|phoneMasked|mobile|email|nickname|reporterId|reporterNickname|reporter|citizenId|citizenNickname|userId|staffId|supporterIds|devUser|createdBy|updatedBy|actorId|password|passwordHash|token|accessToken|refreshToken|secret|apiKey|api_key|location|exif)$/i;

/** Every "path: key" in a JSON value whose key is private. */
export function privateFields(value: unknown, path = '$'): string[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => privateFields(v, `${path}[${i}]`));
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => [...(PRIVATE_FIELD.test(k) ? [`${path}.${k}`] : []), ...privateFields(v, `${path}.${k}`)]);
  }
  return [];
}

/** Every "path = value" where a string contains a secret, or a number equals an exact private coordinate. */
export function privateValues(value: unknown, secrets: { strings: string[]; coordinates: number[] }, path = '$'): string[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => privateValues(v, secrets, `${path}[${i}]`));
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => privateValues(v, secrets, `${path}.${k}`));
  if (typeof value === 'string') return secrets.strings.filter((s) => value.includes(s)).map((s) => `${path} contains ${s}`);
  if (typeof value === 'number') return secrets.coordinates.filter((c) => Math.abs(value - c) < 1e-7).map((c) => `${path} = ${c}`);
  return [];
}

/** Decimal places of a number as JSON writes it. */
export function decimals(n: number): number {
  const text = String(n);
  return text.includes('.') ? text.split('.')[1]!.length : 0;
}
