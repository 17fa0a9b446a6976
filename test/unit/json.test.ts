import fc from 'fast-check';
import { JsonError, parseJsonObject } from '../../shared/json';

describe('reading a JSON object strictly', () => {
  test.each([
    ['a name given twice', '{"access":"download","access":"upload"}', 'access'],
    ['a name given twice inside a nested object', '{"a":{"k":1,"k":2}}', 'k'],
    ['the same name written with an escape', '{"key":"x","k\\u0065y":"y"}', 'key'],
    ['a repeat after whitespace before the colon', '{"op" :"put", "op"\n:"get"}', 'op'],
  ])('refuses %s', (_what, text, name) => {
    expect(() => parseJsonObject(text)).toThrow(new JsonError(`the body gives "${name}" more than once`));
  });

  test.each([
    ['the same name in sibling objects', '[{"a":1},{"a":2}]'.replace(/^\[/, '{"x":[').replace(/\]$/, ']}')],
    ['the same name at different depths', '{"a":{"a":{"a":1}}}'],
    ['strings that hold quotes, braces and colons', '{"a":"{\\"a\\":1}","b":"a:","c":"\\\\"}'],
    ['a value equal to a name', '{"a":"a","b":"a"}'],
  ])('accepts %s', (_what, text) => {
    expect(parseJsonObject(text)).toEqual(JSON.parse(text));
  });

  test('refuses what is not a JSON object', () => {
    for (const text of ['[1]', '"x"', 'null', '3', '{"a":', '']) expect(() => parseJsonObject(text)).toThrow(JsonError);
  });

  test('agrees with JSON.parse on every object that has no repeated name', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (obj) => {
        const text = JSON.stringify(obj);
        expect(parseJsonObject(text)).toEqual(JSON.parse(text));
      }),
      { numRuns: 500 },
    );
  });
});
