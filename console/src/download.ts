/** Files the console hands to the browser's downloads (CSV exports, posters). */

/** Excel opens UTF-8 CSV correctly only with the byte-order mark; the API's text may have lost it on decoding. */
export function withBom(text: string): string {
  return text.startsWith('\ufeff') ? text : `\ufeff${text}`;
}

/** Saves a blob under a file name (a temporary link, clicked). */
export function saveBlob(blob: Blob, filename: string): void {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  // Give the browser a moment to start the download before the address goes.
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}

/** Saves CSV text as a UTF-8 file with the BOM. */
export function saveCsv(text: string, filename: string): void {
  saveBlob(new Blob([withBom(text)], { type: 'text/csv;charset=utf-8' }), filename);
}

/** A file name without characters Windows refuses. */
export function safeFileName(name: string): string {
  return name.replace(/[\\/:*?"<>|\s]+/g, '_').slice(0, 80) || 'export';
}
