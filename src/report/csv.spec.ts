import { csvTable } from './csv';

describe('a CSV export', () => {
  it.each(['=1+1', '+1', '-1', '@SUM(A1)', '\t=1+1', '\r=1+1'])('neutralises a cell starting %j so a spreadsheet never runs it', (value) => {
    const [, row] = csvTable(['name'], [[value]]).split('\r\n');
    const unquoted = row!.startsWith('"') ? row!.slice(1, -1) : row!;
    expect(unquoted.startsWith("'")).toBe(true);
  });

  it('leaves ordinary text alone and quotes commas, quotes and line breaks', () => {
    expect(csvTable(['a', 'b', 'c'], [['Jamie Brown', 'said "hi", then left', 'line\nbreak']])).toBe(
      'a,b,c\r\nJamie Brown,"said ""hi"", then left","line\nbreak"\r\n',
    );
  });
});
