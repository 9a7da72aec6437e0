// Errors raised at the API boundary. Every message starts with the function and names the
// argument at fault, so `diceLoss: target ...` tells the caller what to fix.

export function typeError(fn: string, arg: string, message: string): TypeError {
  return new TypeError(`${fn}: ${arg} ${message}`);
}

export function rangeError(fn: string, arg: string, message: string): RangeError {
  return new RangeError(`${fn}: ${arg} ${message}`);
}

/** A short description of a value for error messages: its constructor or type. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an Array of length ${value.length}`;
  if (ArrayBuffer.isView(value))
    return `a ${value.constructor.name} of length ${(value as unknown as ArrayLike<unknown>).length}`;
  if (typeof value === 'object') return `an object (${(value as object).constructor?.name ?? 'Object'})`;
  return `${typeof value} ${String(value)}`;
}
