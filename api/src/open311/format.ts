/**
 * Open311 answers in JSON or XML with the same field names. The XML form follows
 * the specification's examples: a root element, one child per item, one element per
 * field, UTF-8 with the XML declaration.
 */
export type Open311Format = 'json' | 'xml';

type Scalar = string | number | boolean | null | undefined;
export type Open311Item = Record<string, Scalar | Scalar[] | Record<string, unknown>[]>;

function escapeXml(value: string): string {
  return (
    value
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
      .replace(/'/g, '&apos;')
      // Control characters are not allowed in XML 1.0.
      .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/g, '')
  );
}

/** `childNames` names the element of each array's items, e.g. { endpoints: 'endpoint', formats: 'format' }. */
function element(name: string, value: unknown, childNames: Record<string, string>): string {
  if (value === null || value === undefined || value === '') return `<${name}/>`;
  if (Array.isArray(value)) {
    const child = childNames[name] ?? 'value';
    const inner = value
      .map((v) => (v && typeof v === 'object' ? `<${child}>${fields(v as Open311Item, childNames)}</${child}>` : element(child, v, childNames)))
      .join('');
    return `<${name}>${inner}</${name}>`;
  }
  return `<${name}>${escapeXml(String(value))}</${name}>`;
}

function fields(item: Open311Item, childNames: Record<string, string> = {}): string {
  return Object.entries(item)
    .map(([k, v]) => element(k, v, childNames))
    .join('');
}

export function toXmlList(root: string, itemName: string, items: Open311Item[], childNames: Record<string, string> = {}): string {
  const body = items.map((item) => `<${itemName}>${fields(item, childNames)}</${itemName}>`).join('');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${root}>${body}</${root}>`;
}

export function toXmlObject(root: string, item: Open311Item, childNames: Record<string, string> = {}): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${root}>${fields(item, childNames)}</${root}>`;
}

export const CONTENT_TYPES: Record<Open311Format, string> = {
  json: 'application/json; charset=utf-8',
  xml: 'text/xml; charset=utf-8',
};
