import { csvField, toCsv } from '../src/core/csv';

/** A strict RFC 4180 reader, to check that what we write reads back cell for cell. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i += 2;
      } else if (ch === '"') {
        quoted = false;
        i += 1;
      } else {
        cell += ch;
        i += 1;
      }
    } else if (ch === '"' && cell === '') {
      quoted = true;
      i += 1;
    } else if (ch === ',') {
      row.push(cell);
      cell = '';
      i += 1;
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i += 2;
    } else if (ch === '\r' || ch === '\n' || ch === '"') {
      throw new Error(`bare ${JSON.stringify(ch)} at ${i}`);
    } else {
      cell += ch;
      i += 1;
    }
  }
  if (cell !== '' || row.length) throw new Error('last line without CRLF');
  return rows;
}

describe('CSV writer', () => {
  it('starts with a UTF-8 BOM, ends every line with CRLF, and reads back cell for cell', () => {
    const text = toCsv(
      ['昵称', '积分', '备注'],
      [
        ['张三', 15, '井盖坏了, 请尽快处理'],
        ['李"四"', -3, '第一行\r\n第二行\n第三行'],
        [null, undefined, ''],
      ],
    );
    expect(text.startsWith('\uFEFF')).toBe(true);
    expect(text.endsWith('\r\n')).toBe(true);
    expect(parseCsv(text.slice(1))).toEqual([
      ['昵称', '积分', '备注'],
      ['张三', '15', '井盖坏了, 请尽快处理'],
      ['李"四"', '-3', '第一行\r\n第二行\n第三行'],
      ['', '', ''],
    ]);
  });

  it.each(['=HYPERLINK("http://evil.example","点我")', '+1+1', '-2+3', '@SUM(A1:A9)', '\t=1+1', '\r=1+1'])(
    'keeps a spreadsheet from running the hostile cell %j as a formula',
    (hostile) => {
      const [row] = parseCsv(toCsv(['昵称'], [[hostile]]).slice(1)).slice(1);
      expect(row).toEqual([`'${hostile}`]);
    },
  );

  it('quotes only what needs quoting, and leaves numbers (negative ones too) as numbers', () => {
    expect(csvField('plain 文本')).toBe('plain 文本');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField(-5)).toBe('-5');
    expect(csvField(Number.NaN)).toBe('');
    expect(csvField("'already quoted")).toBe("'already quoted");
    // The guard comes before the quoting: a hostile cell with a comma is both.
    expect(csvField('=1,2')).toBe(`"'=1,2"`);
  });
});
