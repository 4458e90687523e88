import {
  assertNoMaskedValueLeaked,
  parseAnnotations,
  parseFileCommands,
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
