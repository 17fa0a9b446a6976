// The XML OSS reads and writes, through a DOM library (@xmldom/xmldom) rather than by hand: request
// bodies are parsed as XML 1.0 defines (character and entity references, CDATA, namespaces,
// whitespace), with DTDs refused; result and error documents are serialised with their markup
// escaped.

import { DOMImplementation, DOMParser, XMLSerializer, type Element as DomElement, type Node as DomNode } from '@xmldom/xmldom';
import { malformedXml, type OssError } from './errors';

/** OSS's documents open with this declaration, on a line of its own. */
const DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n';

// Node types of the DOM (the W3C constants).
const ELEMENT_NODE = 1;
const TEXT_NODE = 3;
const CDATA_SECTION_NODE = 4;

/** XML 1.0 `S`: space, tab, carriage return, line feed; nothing else (no NBSP, no U+2028). */
const XML_SPACE = /^[ \t\r\n]+|[ \t\r\n]+$/g;
/** Characters outside XML 1.0's `Char` production; a character reference may not name them either. */
const NOT_XML_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

/** An element as the operations read it. */
export interface XmlElement {
  /** Local name, without its namespace prefix. */
  name: string;
  /** Namespace URI, null for none. */
  namespace: string | null;
  children: XmlElement[];
  /** The element's own character data (text and CDATA, references decoded), untrimmed. */
  text: string;
}

function toElement(el: DomElement): XmlElement {
  const children: XmlElement[] = [];
  let text = '';
  for (let n: DomNode | null = el.firstChild; n; n = n.nextSibling) {
    if (n.nodeType === ELEMENT_NODE) children.push(toElement(n as DomElement));
    else if (n.nodeType === TEXT_NODE || n.nodeType === CDATA_SECTION_NODE) text += n.nodeValue ?? '';
  }
  if (NOT_XML_CHAR.test(text)) throw malformedXml();
  return { name: el.localName ?? el.nodeName, namespace: el.namespaceURI || null, children, text };
}

/**
 * Parse a request body. Throws 400 MalformedXML when it is not well-formed XML 1.0 or carries a
 * DOCTYPE: a DTD can declare entities that expand without bound or name files, and no OSS request
 * document needs one. Comments and processing instructions are skipped.
 */
export function parseXml(source: string): XmlElement {
  let root: DomElement | null;
  try {
    const doc = new DOMParser({
      onError: (_level, message) => {
        throw new Error(message);
      },
      // XML 1.0 line ends only: xmldom's default also folds XML 1.1's U+0085 and U+2028.
      normalizeLineEndings: (s) => s.replace(/\r\n?/g, '\n'),
      locator: false,
    }).parseFromString(source.replace(/^\uFEFF/, ''), 'text/xml');
    if (doc.doctype) throw malformedXml();
    root = doc.documentElement;
  } catch {
    throw malformedXml();
  }
  if (!root) throw malformedXml();
  return toElement(root);
}

/** The element's text with XML whitespace (and only that) trimmed from both ends. */
export function textOf(el: XmlElement): string {
  return el.text.replace(XML_SPACE, '');
}

export type XmlValue = string | number | boolean | XmlNode | XmlNode[] | undefined;
export interface XmlNode {
  [element: string]: XmlValue;
}

type DomDocument = ReturnType<DOMImplementation['createDocument']>;

function append(doc: DomDocument, parent: DomElement, name: string, value: XmlValue): void {
  if (value === undefined) return;
  if (Array.isArray(value)) {
    for (const v of value) append(doc, parent, name, v);
    return;
  }
  const el = doc.createElement(name);
  if (typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) append(doc, el, k, v);
  } else {
    // Always a text child, so an empty value is written `<Prefix></Prefix>` as OSS writes it.
    el.appendChild(doc.createTextNode(String(value)));
  }
  parent.appendChild(el);
}

/** `<?xml …?>` and the root element holding `body`'s elements in order (arrays repeat an element). */
export function xmlDocument(root: string, body: XmlNode): string {
  const doc = new DOMImplementation().createDocument(null, root, null);
  const top = doc.documentElement as DomElement;
  for (const [k, v] of Object.entries(body)) append(doc, top, k, v);
  return DECLARATION + new XMLSerializer().serializeToString(top);
}

/** OSS's `<Error>` document: Code, Message, RequestId, HostId, then the error's own elements. */
export function errorXml(err: OssError, requestId: string, hostId: string): string {
  return xmlDocument('Error', { Code: err.code, Message: err.message, RequestId: requestId, HostId: hostId, ...err.details });
}
