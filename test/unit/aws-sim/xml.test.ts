import { asList, parseXml, toXml, xmlDocument } from '../../../tools/aws-sim/xml.js';

describe('toXml', () => {
  test('writes nested elements, repeated list items, dates and escaped text', () => {
    expect(
      toXml(
        'R',
        {
          Text: 'a < b & "c" \'d\'',
          Count: 2,
          Flag: false,
          When: new Date('2024-05-06T07:08:09.123Z'),
          Items: { member: ['x', 'y'] },
          Skipped: undefined,
          Empty: {},
        },
        'https://example.com/doc/"1"/',
      ),
    ).toBe(
      '<R xmlns="https://example.com/doc/&quot;1&quot;/"><Text>a &lt; b &amp; "c" \'d\'</Text>' +
        '<Count>2</Count><Flag>false</Flag><When>2024-05-06T07:08:09Z</When>' +
        '<Items><member>x</member><member>y</member></Items><Empty></Empty></R>',
    );
  });

  test('xmlDocument adds the declaration', () => {
    expect(xmlDocument('A', { B: '1' })).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n<A><B>1</B></A>',
    );
  });
});

describe('parseXml', () => {
  test('reads elements, repeated names as lists, entities and CDATA; drops attributes', () => {
    const text = `<?xml version="1.0" encoding="UTF-8"?>
      <!-- a comment -->
      <InvalidationBatch xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/">
        <Paths>
          <Quantity>2</Quantity>
          <Items><Path>/a&amp;b</Path><Path><![CDATA[/<raw>]]></Path></Items>
        </Paths>
        <CallerReference>r&#233;f&#x21;</CallerReference>
        <Empty/>
      </InvalidationBatch>`;
    expect(parseXml(text)).toEqual({
      root: 'InvalidationBatch',
      value: {
        Paths: { Quantity: '2', Items: { Path: ['/a&b', '/<raw>'] } },
        CallerReference: 'réf!',
        Empty: '',
      },
    });
  });

  test('round-trips what toXml writes', () => {
    const value = { Paths: { Quantity: '1', Items: { Path: ['/only'] } } };
    const parsed = parseXml(toXml('Batch', value)).value as { Paths: { Items: { Path: string } } };
    expect(asList(parsed.Paths.Items.Path)).toEqual(['/only']);
  });

  test.each(['<a><b></a>', '<a>', 'text', '<a></a><b></b>'])('rejects %j', (text) => {
    expect(() => parseXml(text)).toThrow();
  });
});

describe('asList', () => {
  test('absent, one, many', () => {
    expect(asList(undefined)).toEqual([]);
    expect(asList('x')).toEqual(['x']);
    expect(asList(['x', 'y'])).toEqual(['x', 'y']);
  });
});
