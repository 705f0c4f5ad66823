import { describe, expect, it } from 'vitest';
import { readCsv } from './csv.ts';

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

  it('reports a record it cannot read with its line and goes on with the rest', () => {
    const { records, malformed } = readCsv('t,v\n1,2\n3,"4\n5,6\n');
    expect(records[0]).toEqual({ line: 1, fields: ['t', 'v'] });
    expect(records[1]).toEqual({ line: 2, fields: ['1', '2'] });
    expect(malformed).toHaveLength(1);
    expect(malformed[0]!.line).toBeGreaterThanOrEqual(3);
    expect(malformed[0]!.reason).toMatch(/quote/i);
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
