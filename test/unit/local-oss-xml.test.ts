// The XML the local OSS reads and writes, held to XML 1.0 as a library parses it: character and
// entity references, CDATA, namespaces and whitespace read as XML defines them, and no DTD at all.

import { parseCompleteMultipart } from '../../local/oss/multipart';
import { parseXml, textOf, xmlDocument } from '../../local/oss/xml';
import { ossCodeOf } from '../helpers/oss-error';

const complete = (etag: string, extra = '') =>
  `<CompleteMultipartUpload${extra}><Part><PartNumber>1</PartNumber><ETag>${etag}</ETag></Part></CompleteMultipartUpload>`;


describe('reading a CompleteMultipartUpload body', () => {
  it.each([
    ['the quotes written as &#34; (Go encoding/xml, every Go SDK)', '&#34;0A1B&#34;'],
    ['the quotes written as &#x22;', '&#x22;0A1B&#x22;'],
    ['the quotes written as &quot;', '&quot;0A1B&quot;'],
    ['plain quotes', '"0A1B"'],
    ['no quotes', '0A1B'],
    ['the ETag in a CDATA section', '<![CDATA["0A1B"]]>'],
    ['a lower-case ETag', '"0a1b"'],
    ['line breaks and tabs around the value', '\r\n\t "0A1B"\n '],
  ])('decodes %s', (_what, etag) => {
    expect(parseCompleteMultipart(complete(etag))).toEqual([{ partNumber: 1, etag: '0A1B' }]);
  });

  it('reads a body in a default namespace (as S3-style clients send it)', () => {
    expect(parseCompleteMultipart(complete('"0A1B"', ' xmlns="http://s3.amazonaws.com/doc/2006-03-01/"'))).toEqual([{ partNumber: 1, etag: '0A1B' }]);
  });

  it('reads a body whose elements carry a namespace prefix', () => {
    const xml = '<c:CompleteMultipartUpload xmlns:c="urn:x"><c:Part><c:PartNumber>2</c:PartNumber><c:ETag>"0A1B"</c:ETag></c:Part></c:CompleteMultipartUpload>';
    expect(parseCompleteMultipart(xml)).toEqual([{ partNumber: 2, etag: '0A1B' }]);
  });

  it('refuses a part whose elements sit in another namespace than the document', () => {
    const xml = '<c:CompleteMultipartUpload xmlns:c="urn:x"><Part><PartNumber>2</PartNumber><ETag>"0A1B"</ETag></Part></c:CompleteMultipartUpload>';
    expect(ossCodeOf(() => parseCompleteMultipart(xml))).toBe('400 MalformedXML');
  });

  it('reads an XML declaration and a UTF-8 byte order mark', () => {
    expect(parseCompleteMultipart(`\uFEFF<?xml version="1.0" encoding="UTF-8"?>\n${complete('"0A1B"')}`)).toEqual([{ partNumber: 1, etag: '0A1B' }]);
  });

  it('trims only XML whitespace: a no-break space around the ETag stays part of it', () => {
    expect(parseCompleteMultipart(complete('\u00A0"0A1B"'))).toEqual([{ partNumber: 1, etag: '\u00A0"0A1B"' }]);
  });

  it('does not treat XML 1.1 line separators as line breaks', () => {
    expect(parseCompleteMultipart(complete('\u2028"0A1B"'))).toEqual([{ partNumber: 1, etag: '\u2028"0A1B"' }]);
  });

  it.each([
    ['a DOCTYPE with an internal entity', '<!DOCTYPE c [<!ENTITY q "&#34;0A1B&#34;">]>' + complete('&q;')],
    ['entity expansion (billion laughs)', '<!DOCTYPE c [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>' + complete('&c;')],
    ['an external entity', '<!DOCTYPE c [<!ENTITY e SYSTEM "file:///etc/passwd">]>' + complete('&e;')],
    ['a bare DOCTYPE', '<!DOCTYPE CompleteMultipartUpload>' + complete('"0A1B"')],
    ['an HTML entity XML does not define', complete('&nbsp;0A1B')],
    ['a character reference to a character XML forbids', complete('&#1;0A1B')],
    ['mismatched tags', '<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>x</Part></CompleteMultipartUpload>'],
    ['text after the document', `${complete('"0A1B"')}trailing`],
    ['an empty body', ''],
    ['another root element', '<CompleteUpload><Part><PartNumber>1</PartNumber><ETag>x</ETag></Part></CompleteUpload>'],
    ['a part without an ETag', '<CompleteMultipartUpload><Part><PartNumber>1</PartNumber></Part></CompleteMultipartUpload>'],
    ['a part with two part numbers', '<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><PartNumber>2</PartNumber><ETag>x</ETag></Part></CompleteMultipartUpload>'],
    ['a part number that is not a number', '<CompleteMultipartUpload><Part><PartNumber>one</PartNumber><ETag>x</ETag></Part></CompleteMultipartUpload>'],
    ['an unknown element', '<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>x</ETag><Size>1</Size></Part></CompleteMultipartUpload>'],
    ['no parts', '<CompleteMultipartUpload></CompleteMultipartUpload>'],
  ])('refuses %s with MalformedXML', (_what, xml) => {
    expect(ossCodeOf(() => parseCompleteMultipart(xml))).toBe('400 MalformedXML');
  });
});

describe('writing result and error documents', () => {
  it('starts with the XML declaration OSS writes and escapes markup in values', () => {
    const xml = xmlDocument('Error', { Code: 'NoSuchKey', Key: 'a<b>&"c\'/照片 😀.png' });
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<Error>')).toBe(true);
    expect(textOf(parseXml(xml).children[1])).toBe('a<b>&"c\'/照片 😀.png');
  });

  it('writes lists as repeated elements, numbers and booleans as text, and skips undefined', () => {
    const xml = xmlDocument('R', { A: [{ B: 1 }, { B: 2 }], T: true, N: undefined, E: '' });
    expect(xml).toBe('<?xml version="1.0" encoding="UTF-8"?>\n<R><A><B>1</B></A><A><B>2</B></A><T>true</T><E></E></R>');
  });

  it('writes "]]>" in a value so that it reads back unchanged', () => {
    expect(textOf(parseXml(xmlDocument('R', { V: 'a]]>b' })).children[0])).toBe('a]]>b');
  });
});
