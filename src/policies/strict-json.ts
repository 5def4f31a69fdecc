/**
 * JSON.parse keeps the last of two equal keys, so `{"Effect":"Deny","Effect":"Allow"}` reads as an
 * Allow while a reviewer (or another parser: AWS's own refuses it) sees a Deny. Policy documents are
 * therefore read with this parser, which refuses any object that names a key twice.
 */

/** Where a key repeats: the key as decoded and the path of the object that holds it. */
export interface DuplicateKey {
  key: string;
  path: string;
}

/** The MalformedPolicyDocument message of every policy parser (identity, trust, bucket and key policies). */
export function duplicateKeyMessage(duplicate: DuplicateKey): string {
  return `Syntax errors in policy: the key ${JSON.stringify(duplicate.key.slice(0, 64))} appears more than once in the object at ${duplicate.path.slice(0, 256)}`;
}

export type StrictJsonResult = { value: unknown } | { error: 'syntax' } | { error: 'duplicate'; duplicate: DuplicateKey };

/**
 * Parses JSON text like JSON.parse, but reports the first key that appears twice in one object.
 * Keys are compared after their escapes are decoded (`"Eff\u0065ct"` equals `"Effect"`), exactly as
 * JSON.parse would have merged them.
 */
export function parseStrictJson(text: string): StrictJsonResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { error: 'syntax' };
  }
  const duplicate = findDuplicateKey(text);
  return duplicate ? { error: 'duplicate', duplicate } : { value };
}

interface ObjectFrame {
  kind: 'object';
  keys: Set<string>;
  /** True after `{` or `,`: the next string is a key. */
  expectingKey: boolean;
  /** The key whose value is being read (for the path of nested objects). */
  currentKey: string;
}

interface ArrayFrame {
  kind: 'array';
  index: number;
}

/**
 * Scans text that JSON.parse has already accepted, so only the structure matters: strings (whose
 * content may hold any of `{}[],:"`), the brackets and the commas. Iterative, with an explicit
 * stack, so deep nesting cannot overflow the call stack; linear in the text's length.
 */
export function findDuplicateKey(text: string): DuplicateKey | null {
  const stack: Array<ObjectFrame | ArrayFrame> = [];
  const pathOf = () =>
    '$' +
    stack
      .slice(0, -1)
      .map((frame) => (frame.kind === 'object' ? `.${frame.currentKey}` : `[${frame.index}]`))
      .join('');
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x7b /* { */) {
      stack.push({ kind: 'object', keys: new Set(), expectingKey: true, currentKey: '' });
    } else if (c === 0x5b /* [ */) {
      stack.push({ kind: 'array', index: 0 });
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      stack.pop();
    } else if (c === 0x2c /* , */) {
      const top = stack[stack.length - 1];
      if (top?.kind === 'object') top.expectingKey = true;
      else if (top?.kind === 'array') top.index++;
    } else if (c === 0x22 /* " */) {
      const end = stringEnd(text, i);
      const top = stack[stack.length - 1];
      if (top?.kind === 'object' && top.expectingKey) {
        // The token is a valid JSON string (the whole text parsed), so JSON.parse decodes it exactly.
        const key = JSON.parse(text.slice(i, end + 1)) as string;
        if (top.keys.has(key)) return { key, path: pathOf() };
        top.keys.add(key);
        top.expectingKey = false;
        top.currentKey = key;
      }
      i = end;
    }
  }
  return null;
}

/** Index of the quote that closes the string opening at `start`. */
function stringEnd(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5c /* \ */) i++;
    else if (c === 0x22) return i;
  }
  return text.length - 1;
}
