// JSON objects as a strict reader takes them: a name given twice is refused, since JSON.parse keeps
// the last one silently and two readers of the same text could then disagree about what it says.

export class JsonError extends Error {
  override name = 'JsonError';
}

/** The first object member name that appears twice in one object of `text` (valid JSON), if any. */
function duplicateName(text: string): string | undefined {
  const frames: (Set<string> | null)[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '{') frames.push(new Set());
    else if (c === '[') frames.push(null);
    else if (c === '}' || c === ']') frames.pop();
    else if (c === '"') {
      const start = i;
      for (i++; text[i] !== '"'; i++) if (text[i] === '\\') i++;
      const names = frames[frames.length - 1];
      if (!names) continue;
      let j = i + 1;
      while (text[j] === ' ' || text[j] === '\t' || text[j] === '\n' || text[j] === '\r') j++;
      if (text[j] !== ':') continue;
      // Decoded, so "a" and "\u0061" are the same name.
      const name = JSON.parse(text.slice(start, i + 1)) as string;
      if (names.has(name)) return name;
      names.add(name);
    }
  }
  return undefined;
}

/** Parse `text` as a JSON object; throws JsonError for invalid JSON, another value, or a repeated name. */
export function parseJsonObject(text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new JsonError('the body is not valid JSON');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new JsonError('the body must be a JSON object');
  const repeated = duplicateName(text);
  if (repeated !== undefined) throw new JsonError(`the body gives "${repeated.slice(0, 64)}" more than once`);
  return value as Record<string, unknown>;
}
