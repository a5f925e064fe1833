/**
 * Sets a member of an object being built from JSON as `JSON.parse` does: `__proto__` is a
 * member like any other, never the prototype.
 */
export function setJsonMember<T>(out: { [key: string]: T }, key: string, value: T): void {
  if (key === '__proto__')
    Object.defineProperty(out, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  else out[key] = value;
}
