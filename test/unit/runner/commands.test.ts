// The runner emulator's reading of a step: file commands, workflow commands, masking.
import {
  LogTranslator,
  assertNoMaskedValueLeaked,
  parseAnnotations,
  parseCommand,
  parseFileCommands,
  parseMasks,
  unescapeData,
  unescapeProperty,
  visibleLog,
} from '../../../tools/runner/index.mjs';

describe('parseFileCommands', () => {
  test('reads name=value lines and heredoc blocks as @actions/core writes them', () => {
    const text = [
      'simple=value=with=equals',
      'multi<<ghadelimiter_5c1e',
      'line one',
      'line two',
      'ghadelimiter_5c1e',
      'empty<<ghadelimiter_aa',
      'ghadelimiter_aa',
      '',
    ].join('\n');
    expect(parseFileCommands(text)).toEqual({
      simple: 'value=with=equals',
      multi: 'line one\nline two',
      empty: '',
    });
  });
});

describe('parseAnnotations', () => {
  test('reads level, properties and unescaped message', () => {
    const log =
      'plain line\n::error file=db/V2__x.sql,line=3,title=Migration failed::syntax error%0Anear "SELEC"\n::warning::careful';
    expect(parseAnnotations(log)).toEqual([
      {
        level: 'error',
        message: 'syntax error\nnear "SELEC"',
        properties: { file: 'db/V2__x.sql', line: '3', title: 'Migration failed' },
      },
      { level: 'warning', message: 'careful', properties: {} },
    ]);
  });
});

describe('assertNoMaskedValueLeaked', () => {
  test('passes when the secret only appears in its add-mask command', () => {
    expect(() =>
      assertNoMaskedValueLeaked({
        log: '::add-mask::s3cr3t-value\nconnected as ***',
        summary: '',
        masked: ['s3cr3t-value'],
      }),
    ).not.toThrow();
  });
  test.each([
    ['log', { log: '::add-mask::s3cr3t-value\npassword=s3cr3t-value', summary: '' }],
    ['summary', { log: '::add-mask::s3cr3t-value', summary: '<td>s3cr3t-value</td>' }],
  ])('fails when the secret appears in the %s, without printing it', (where, run) => {
    expect(() => assertNoMaskedValueLeaked({ ...run, masked: ['s3cr3t-value'] })).toThrow(
      `A masked value (12 chars, starts s3…) appears in the ${where}.`,
    );
  });
});

// The CLI and the test harness used to parse workflow commands each their own way; both now
// read them as the runner does, and these pin where the two copies differed.
describe('workflow commands as the runner reads them', () => {
  test('property values unescape %3A and %2C before %25, so an escaped percent stays literal', () => {
    expect(unescapeProperty('a%3Ab%2Cc%0Ad')).toBe('a:b,c\nd');
    expect(unescapeProperty('100%253A')).toBe('100%3A');
    expect(unescapeData('100%250A')).toBe('100%0A');
  });

  test('escapes are upper case only, as the runner writes and reads them', () => {
    expect(unescapeData('a%0ab')).toBe('a%0ab');
    expect(unescapeProperty('x%3ay')).toBe('x%3ay');
  });

  test('a command may follow leading blanks; data starts after the second ::', () => {
    expect(parseCommand('  ::warning file=a.ts,line=2::x :: y')).toEqual({
      command: 'warning',
      properties: { file: 'a.ts', line: '2' },
      data: 'x :: y',
    });
    expect(parseCommand('not ::a command::')).toBeUndefined();
    expect(parseCommand('::unterminated')).toBeUndefined();
  });

  test('the whole-log reader and the streaming translator find the same annotations', () => {
    const log = [
      '::error file=db/V2.sql,line=3,title=Migration%3A V2::syntax error%0Anear "FROM"',
      'plain',
      '::notice::100%25 done',
    ].join('\n');
    const translator = new LogTranslator({ write: () => undefined });
    translator.push(log);
    translator.end();
    expect(translator.annotations).toEqual(parseAnnotations(log));
    expect(parseAnnotations(log)[0]).toEqual({
      level: 'error',
      message: 'syntax error\nnear "FROM"',
      properties: { file: 'db/V2.sql', line: '3', title: 'Migration: V2' },
    });
  });

  test('masked values are the add-mask data, unescaped; the visible log drops those lines', () => {
    const log = '::add-mask::multi%0Aline\n  ::add-mask::indented\nshown';
    expect(parseMasks(log)).toEqual(['multi\nline', 'indented']);
    expect(visibleLog({ log })).toBe('shown');
  });
});

describe('a log read as the runner reads it: nothing is processed inside a stop-commands block', () => {
  const log = [
    '::error::ours',
    '::stop-commands::tok123',
    '::error title=pwned::theirs',
    '::add-mask::theirs',
    '::tok123::',
    '::warning::ours again',
    '::add-mask::s3cret',
  ].join('\n');

  test('annotations', () => {
    expect(parseAnnotations(log).map((a) => a.message)).toEqual(['ours', 'ours again']);
  });

  test('masks', () => {
    expect(parseMasks(log)).toEqual(['s3cret']);
  });

  test('the visible log keeps the stopped lines as text', () => {
    expect(visibleLog({ log })).toContain('::add-mask::theirs');
    expect(visibleLog({ log })).not.toContain('::add-mask::s3cret');
  });
});
