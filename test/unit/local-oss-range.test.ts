// The local OSS's Range rules against OSS's documented answers for a 1,000-byte object ("Use HTTP
// Range requests to get OSS resources in segments", its x-oss-range-behavior: standard table, the
// 416 page, and the UploadPartCopy page), plus the cases the pages leave open, read strictly.

import { OssError } from '../../local/oss/errors';
import { contentRange, rangeOfCopySource, rangeOfGet } from '../../local/oss/range';

const SIZE = 1000;
const STANDARD = { 'x-oss-range-behavior': 'standard' };

/** What GetObject answers: [status, Content-Range], or [status, error code]. */
function answer(headers: Record<string, string>, size = SIZE): [number, string | undefined] {
  try {
    const range = rangeOfGet(headers, size);
    return range ? [206, contentRange(range, size)] : [200, undefined];
  } catch (e) {
    if (!(e instanceof OssError)) throw e;
    return [e.status, e.code];
  }
}

describe('GetObject by default (no x-oss-range-behavior)', () => {
  test.each([
    ['bytes=0-499', 206, 'bytes 0-499/1000'],
    ['bytes=500-999', 206, 'bytes 500-999/1000'],
    ['bytes=500-', 206, 'bytes 500-999/1000'],
    ['bytes=-500', 206, 'bytes 500-999/1000'],
    ['bytes=0-', 206, 'bytes 0-999/1000'],
    ['bytes=-1000', 206, 'bytes 0-999/1000'],
    ['bytes=999-999', 206, 'bytes 999-999/1000'],
  ])('a range inside the object (%s) answers 206 with it', (range, status, contentRangeHeader) => {
    expect(answer({ range })).toEqual([status, contentRangeHeader]);
  });

  test.each([
    ['bytes=0-1000', 'its end is past the object'],
    ['bytes=500-2000', 'its end is past the object'],
    ['bytes=1000-2000', 'its start is past the object'],
    ['bytes=1000-', 'its start is past the object'],
    ['bytes=-2000', 'it asks for more bytes than the object has'],
    ['bytes=-0', 'it asks for no bytes'],
  ])('%s is ignored (%s): 200, the whole object, no Content-Range', (range) => {
    expect(answer({ range })).toEqual([200, undefined]);
  });

  test('several ranges answer only the first: bytes=0-499,500-999 gives 206 0-499', () => {
    expect(answer({ range: 'bytes=0-499,500-999' })).toEqual([206, 'bytes 0-499/1000']);
  });

  test('several ranges whose first is past the object answer the whole object', () => {
    expect(answer({ range: 'bytes=1000-1001,0-9' })).toEqual([200, undefined]);
  });

  test('any range of an empty object answers the whole (empty) object', () => {
    expect([answer({ range: 'bytes=0-' }, 0), answer({ range: 'bytes=-5' }, 0)]).toEqual([
      [200, undefined],
      [200, undefined],
    ]);
  });
});

describe('GetObject with x-oss-range-behavior: standard', () => {
  const std = (range: string, size = SIZE) => answer({ ...STANDARD, range }, size);

  test.each([
    ['bytes=0-499', 'bytes 0-499/1000'],
    ['bytes=500-', 'bytes 500-999/1000'],
    ['bytes=-500', 'bytes 500-999/1000'],
  ])('a range inside the object (%s) answers 206 with it', (range, contentRangeHeader) => {
    expect(std(range)).toEqual([206, contentRangeHeader]);
  });

  test('a range ending past the object is cut to it: bytes=500-2000 gives 206 500-999', () => {
    expect(std('bytes=500-2000')).toEqual([206, 'bytes 500-999/1000']);
  });

  test('bytes=0-1000 is cut to the whole object as a 206', () => {
    expect(std('bytes=0-1000')).toEqual([206, 'bytes 0-999/1000']);
  });

  test('a suffix longer than the object gives all of it: bytes=-2000 gives 206 0-999', () => {
    expect(std('bytes=-2000')).toEqual([206, 'bytes 0-999/1000']);
  });

  test.each(['bytes=1000-2000', 'bytes=1000-'])('a range starting past the object (%s) is 416 InvalidRange', (range) => {
    expect(std(range)).toEqual([416, 'InvalidRange']);
  });

  test('several ranges are 416 InvalidRange (OSS serves one range)', () => {
    expect(std('bytes=0-499,500-999')).toEqual([416, 'InvalidRange']);
  });

  test('bytes=-0 asks for no bytes: 416 InvalidRange', () => {
    expect(std('bytes=-0')).toEqual([416, 'InvalidRange']);
  });

  test('any range of an empty object is 416 InvalidRange', () => {
    expect([std('bytes=0-', 0), std('bytes=-5', 0)]).toEqual([
      [416, 'InvalidRange'],
      [416, 'InvalidRange'],
    ]);
  });
});

describe('a malformed Range is ignored in both behaviours: 200, the whole object', () => {
  test.each([
    'byte=0-499',
    'bytes=',
    'bytes=-',
    'bytes=a-b',
    'bytes=9-1',
    'bytes=0-1-2',
    'bytes=0-1,',
    'Bytes=0-499',
    'items=0-499',
    'bytes= 0-499',
  ])('%s', (range) => {
    expect([answer({ range }), answer({ ...STANDARD, range })]).toEqual([
      [200, undefined],
      [200, undefined],
    ]);
  });
});

test('spaces around the ranges of a list are allowed (RFC 9110 list syntax)', () => {
  expect(answer({ range: 'bytes=0-9, 20-29' })).toEqual([206, 'bytes 0-9/1000']);
});

test('offsets beyond 2^53 are past the object, never wrapped', () => {
  expect([answer({ range: 'bytes=99999999999999999999-' }), answer({ ...STANDARD, range: 'bytes=0-99999999999999999999' })]).toEqual([
    [200, undefined],
    [206, 'bytes 0-999/1000'],
  ]);
});

test('no Range header answers the whole object, whatever the behaviour', () => {
  expect([answer({}), answer(STANDARD)]).toEqual([
    [200, undefined],
    [200, undefined],
  ]);
});

test('an x-oss-range-behavior other than standard is refused: 400 InvalidArgument', () => {
  expect([answer({ 'x-oss-range-behavior': 'Standard', range: 'bytes=0-1' }), answer({ 'x-oss-range-behavior': 'legacy' })]).toEqual([
    [400, 'InvalidArgument'],
    [400, 'InvalidArgument'],
  ]);
});

test('several ranges with x-oss-multi-range-behavior are not served: 501 NotImplemented', () => {
  expect(answer({ 'x-oss-multi-range-behavior': 'multi-range', range: 'bytes=0-1,4-5' })).toEqual([501, 'NotImplemented']);
});

test('x-oss-multi-range-behavior with one range answers that range', () => {
  expect(answer({ 'x-oss-multi-range-behavior': 'multi-range', range: 'bytes=4-5' })).toEqual([206, 'bytes 4-5/1000']);
});

/** The OssError `f` throws: its status, code, message and extra elements. */
function refusalOf(f: () => unknown): [number, string, string, Record<string, string>] {
  try {
    f();
  } catch (e) {
    if (e instanceof OssError) return [e.status, e.code, e.message, e.details];
    throw e;
  }
  throw new Error('nothing was refused');
}

describe('what a refusal says', () => {
  test('416 carries the message of OSS\'s 416 page', () => {
    expect(refusalOf(() => rangeOfGet({ ...STANDARD, range: 'bytes=1000-' }, SIZE))).toEqual([416, 'InvalidRange', 'The requested range cannot be satisfied', {}]);
  });

  test('a wrong x-oss-range-behavior is named with its value', () => {
    expect(refusalOf(() => rangeOfGet({ 'x-oss-range-behavior': 'legacy' }, SIZE))).toEqual([
      400,
      'InvalidArgument',
      'x-oss-range-behavior must be standard.',
      { ArgumentName: 'x-oss-range-behavior', ArgumentValue: 'legacy' },
    ]);
  });

  test('the 501 names x-oss-multi-range-behavior', () => {
    expect(refusalOf(() => rangeOfGet({ 'x-oss-multi-range-behavior': 'multi-range', range: 'bytes=0-1,4-5' }, SIZE))[2]).toContain('x-oss-multi-range-behavior');
  });

  test('a copy range past the source says the source size, and names the header with its value', () => {
    expect(refusalOf(() => rangeOfCopySource('bytes=0-1000', SIZE))).toEqual([
      400,
      'InvalidArgument',
      'Range specified is not valid for source object of size: 1000',
      { ArgumentName: 'x-oss-copy-source-range', ArgumentValue: 'bytes=0-1000' },
    ]);
  });
});

describe('UploadPartCopy x-oss-copy-source-range', () => {
  /** [range copied, or 'whole'], or the refusal's [status, code, ArgumentName]. */
  function copied(header: string | undefined, size = SIZE): unknown[] {
    try {
      const range = rangeOfCopySource(header, size);
      return range ? [range.start, range.end] : ['whole'];
    } catch (e) {
      if (!(e instanceof OssError)) throw e;
      return [e.status, e.code, e.details.ArgumentName];
    }
  }

  test('bytes=first-last inside the source copies those bytes', () => {
    expect([copied('bytes=0-9'), copied('bytes=100-999')]).toEqual([
      [0, 9],
      [100, 999],
    ]);
  });

  test('no header copies the whole source', () => {
    expect(copied(undefined)).toEqual(['whole']);
  });

  test.each(['bytes=500-', 'bytes=-500', 'bytes=0-9,20-29', 'bytes=9-0', 'byte=0-9', 'bytes=x'])(
    'a range not of the form bytes=first-last (%s) copies the whole source',
    (header) => {
      expect(copied(header)).toEqual(['whole']);
    },
  );

  test.each(['bytes=0-1000', 'bytes=500-2000', 'bytes=1000-2000'])('a range past the source (%s) is refused: 400 InvalidArgument', (header) => {
    expect(copied(header)).toEqual([400, 'InvalidArgument', 'x-oss-copy-source-range']);
  });

  test('any bytes=first-last of an empty source is past it: 400 InvalidArgument', () => {
    expect(copied('bytes=0-0', 0)).toEqual([400, 'InvalidArgument', 'x-oss-copy-source-range']);
  });
});
