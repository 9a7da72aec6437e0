// Errors raised at the API boundary. Every message starts with the function and names the
// argument at fault, so `diceLoss: target ...` tells the caller what to fix. Whatever of the
// caller's input a message quotes is truncated (`quote`, `list`): a 100 MB string or a shape of a
// million entries gives a message of a line, not of the input's size.

export function typeError(fn: string, arg: string, message: string): TypeError {
  return new TypeError(`${fn}: ${arg} ${message}`);
}

export function rangeError(fn: string, arg: string, message: string): RangeError {
  return new RangeError(`${fn}: ${arg} ${message}`);
}

/** Characters of a quoted input kept in a message. */
export const QUOTE_LIMIT = 80;
/** Entries of a quoted list kept in a message. */
export const LIST_LIMIT = 8;

/** `text`, or its first QUOTE_LIMIT characters and how long it was. */
export function quote(text: string, limit = QUOTE_LIMIT): string {
  return text.length <= limit ? text : `${text.slice(0, limit)}… (${text.length} characters)`;
}

/** `[a, b, …]` with at most LIST_LIMIT entries (each quoted), and how many there were. */
export function list(values: ArrayLike<unknown>, limit = LIST_LIMIT): string {
  const n = values.length;
  const shown = Array.from({ length: Math.min(n, limit) }, (_, i) => quote(String(values[i]), 24));
  return `[${shown.join(', ')}${n > limit ? `, … (${n} entries)` : ''}]`;
}

/** A short description of a value for error messages: its constructor or type, never more than a line. */
export function describe(value: unknown): string {
  try {
    if (value === null) return 'null';
    if (Array.isArray(value)) return `an Array of length ${value.length}`;
    const tag = typedArrayName(value);
    if (tag !== undefined) return `a ${tag} of length ${(value as unknown as ArrayLike<unknown>).length}`;
    if (typeof value === 'string') return `string '${quote(value)}'`;
    if (typeof value === 'object') {
      const name = (value as object).constructor?.name;
      return `an object (${typeof name === 'string' && name !== '' ? quote(name, 40) : 'Object'})`;
    }
    if (typeof value === 'function') return `a function${value.name ? ` (${quote(value.name, 40)})` : ''}`;
    return `${typeof value} ${quote(String(value))}`;
  } catch {
    // A Proxy or a getter that throws: describe it by its type alone.
    return `${typeof value} (unreadable)`;
  }
}

const typedArrayTag = Object.getOwnPropertyDescriptor(
  Object.getPrototypeOf(Uint8Array.prototype) as object,
  Symbol.toStringTag,
)?.get as (this: unknown) => string | undefined;

/**
 * The name of a real typed array (`'Float32Array'`, …), else undefined: the engine's own check of
 * its internal slots, which a Proxy or an object that only inherits a typed array's prototype
 * does not pass (`instanceof` does).
 */
export function typedArrayName(value: unknown): string | undefined {
  return typedArrayTag.call(value);
}

/**
 * The abstract %TypedArray% constructor: `x instanceof TypedArray` holds for every typed array and
 * for fakes of one.
 */
const TypedArray = Object.getPrototypeOf(Uint8Array) as abstract new () => ArrayBufferView;

/**
 * Refuses an argument that passes for a typed array without being one (a Proxy of one, or an
 * object whose prototype is a typed array's): the engine could not read it, and the later checks
 * would fail with the engine's own error, which names nothing.
 */
export function checkView(fn: string, name: string, value: unknown): void {
  let fake: boolean;
  try {
    fake = value instanceof TypedArray && typedArrayName(value) === undefined;
  } catch {
    fake = true; // a revoked Proxy, or one whose traps throw
  }
  if (fake) {
    throw typeError(
      fn,
      name,
      'is not a typed array itself (a Proxy of one, or an object with a typed array as prototype); ' +
        'pass the typed array',
    );
  }
}
