// "Nothing changed": a copy of every byte an argument can reach, to compare after a
// rejected call.

function bytesOf(value: unknown): Uint8Array | null {
  if (ArrayBuffer.isView(value)) return bytesOf(value.buffer);
  if (value instanceof ArrayBuffer || value instanceof SharedArrayBuffer) {
    // A detached buffer has no bytes to change.
    return new Uint8Array(value.byteLength === 0 ? new ArrayBuffer(0) : value).slice();
  }
  return null;
}

function liveBytes(value: unknown): Uint8Array | null {
  if (ArrayBuffer.isView(value)) return liveBytes(value.buffer);
  if (value instanceof ArrayBuffer || value instanceof SharedArrayBuffer) {
    return value.byteLength === 0 ? new Uint8Array(0) : new Uint8Array(value);
  }
  return null;
}

/** Snapshots `values` now; the returned function lists what has changed since. */
export function snapshot(values: readonly unknown[]): () => string[] {
  const before = values.map((v) => ({
    bytes: bytesOf(v),
    elements: Array.isArray(v) ? [...(v as unknown[])] : null,
  }));
  return () => {
    const changes: string[] = [];
    values.forEach((v, k) => {
      const { bytes, elements } = before[k];
      if (bytes) {
        const now = liveBytes(v) as Uint8Array;
        if (now.length !== bytes.length) changes.push(`argument ${k}: byteLength ${bytes.length} -> ${now.length}`);
        else {
          const i = now.findIndex((b, j) => b !== bytes[j]);
          if (i >= 0) changes.push(`argument ${k}: byte ${i} changed`);
        }
      }
      if (elements) {
        const now = v as unknown[];
        if (now.length !== elements.length || now.some((e, i) => !Object.is(e, elements[i]))) {
          changes.push(`argument ${k}: array elements changed`);
        }
      }
    });
    return changes;
  };
}
