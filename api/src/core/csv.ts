/**
 * The one CSV writer of every export: RFC 4180 (comma, CRLF, quotes doubled, a field
 * quoted when it holds a comma, quote, CR or LF), a UTF-8 BOM so Excel reads the
 * Chinese, and the spreadsheet-formula guard.
 */

export type CsvCell = string | number | null | undefined;

/**
 * Text a spreadsheet would run as a formula (or, for tab and CR, would shift into
 * another cell before the formula) starts with one of these: such a cell gets a
 * leading apostrophe, which spreadsheets show as text (OWASP "CSV injection").
 */
const FORMULA_START = /^[=+\-@\t\r]/;

/** One field: numbers as written (a negative number is data, not a formula), text guarded and quoted as needed. */
export function csvField(value: CsvCell): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  const safe = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** A whole file: a header row, then the rows; BOM first, CRLF after every line. */
export function toCsv(header: readonly string[], rows: readonly (readonly CsvCell[])[]): string {
  const lines = [header, ...rows].map((row) => row.map(csvField).join(','));
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

export const CSV_CONTENT_TYPE = 'text/csv; charset=utf-8';
