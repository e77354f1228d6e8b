/**
 * JSON text of an item. Never throws: values JSON cannot hold (cycles, BigInt, functions) are written
 * as readable placeholders instead of losing the whole item.
 */
export function toJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? 'null';
  } catch {
    return JSON.stringify(value, tolerantReplacer()) ?? 'null';
  }
}

function tolerantReplacer(): (this: unknown, key: string, value: unknown) => unknown {
  const ancestors: unknown[] = [];
  return function (this: unknown, _key: string, value: unknown): unknown {
    if (typeof value === 'bigint') {
      return value.toString();
    }
    if (value instanceof Error) {
      return { name: value.name, message: value.message };
    }
    if (typeof value !== 'object' || value === null) {
      return value;
    }
    // `this` is the object holding the key: drop the ancestors we have left, then check for a cycle.
    while (ancestors.length > 0 && ancestors[ancestors.length - 1] !== this) {
      ancestors.pop();
    }
    if (ancestors.includes(value)) {
      return '[Circular]';
    }
    ancestors.push(value);
    return value;
  };
}

/** The message of anything thrown: an Error's message, else its text. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) {
    return error.message || error.name || 'Error';
  }
  if (typeof error === 'string') {
    return error;
  }
  try {
    return String(error);
  } catch {
    return 'Unknown error';
  }
}
