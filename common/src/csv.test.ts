import { describe, expect, it } from 'vitest';
import { MAX_CSV_RECORD_CHARS, readCsv } from './csv.ts';

describe('Function: readCsv', () => {
  it('reads quoted fields, doubled quotes, line breaks inside quotes, CRLF and a BOM, with line numbers', () => {
    const text = '\uFEFFname,note\r\n"Cloudflare, Inc.","say ""hi"""\r\n\r\nplain,"two\nlines"\nlast,x';
    const { records, malformed } = readCsv(text);
    expect(malformed).toEqual([]);
    expect(records).toEqual([
      { line: 1, fields: ['name', 'note'] },
      { line: 2, fields: ['Cloudflare, Inc.', 'say "hi"'] },
      { line: 5, fields: ['plain', 'two\nlines'] },
      { line: 6, fields: ['last', 'x'] },
    ]);
  });

  it('keeps records of any length for the caller to judge', () => {
    expect(readCsv('a,b,c\n1\n1,2,3,4\n').records.map((r) => r.fields.length)).toEqual([3, 1, 4]);
  });

  it('reports an unclosed quote on the line it starts and reads every later row', () => {
    const { records, malformed } = readCsv('t,v\n1,2\n3,"4\n5,6\n\n7,"8"\n9,10\n');
    expect(records).toEqual([
      { line: 1, fields: ['t', 'v'] },
      { line: 2, fields: ['1', '2'] },
      { line: 4, fields: ['5', '6'] },
      { line: 6, fields: ['7', '8'] },
      { line: 7, fields: ['9', '10'] },
    ]);
    // The quote opened on line 3 closes on line 6 before the 8: the whole stretch is one bad record.
    expect(malformed).toEqual([{ line: 3, reason: expect.stringMatching(/quote.*at line 3/i) }]);
  });

  it('skips each bad line alone: stray quotes, a closing quote followed by text, several in a row', () => {
    const { records, malformed } = readCsv('a,b\r\n1,2"x\r\n3,"4"x\r\n"5\r\n6,7\r\n');
    expect(records).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 5, fields: ['6', '7'] },
    ]);
    expect(malformed.map((m) => m.line)).toEqual([2, 3, 4]);
    expect(malformed[1]!.reason).toMatch(/closing quote.*at line 3/i);
  });

  it('bounds how far an unclosed quote may reach, then reads on from the next line', () => {
    const long = 'x'.repeat(MAX_CSV_RECORD_CHARS + 10);
    const { records, malformed } = readCsv(`k,"${long}\nm,n\n`);
    expect(records).toEqual([{ line: 2, fields: ['m', 'n'] }]);
    expect(malformed).toEqual([{ line: 1, reason: expect.stringMatching(/longer than/) }]);
  });

  it('numbers lines past blank ones, LF or CRLF, when nothing is quoted', () => {
    expect(readCsv('a\n\nb\r\n\r\nc,d\n').records).toEqual([
      { line: 1, fields: ['a'] },
      { line: 3, fields: ['b'] },
      { line: 5, fields: ['c', 'd'] },
    ]);
  });

  it('reads an empty text as no records', () => {
    expect(readCsv('')).toEqual({ records: [], malformed: [] });
  });
});
