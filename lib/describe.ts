// How a value looks in an error message.
import { isProxy, typedArrayName } from './intrinsics';

/**
 * How a value looks in an error message: its type, not its contents. Read through
 * descriptors only, so that describing a value runs none of its code (a Proxy's
 * traps, a `constructor` or `name` getter).
 */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'function') return 'a function';
  if (typeof value !== 'object') {
    const text = typeof value === 'symbol' ? value.toString() : String(value);
    return `type ${typeof value} (${text.slice(0, 30)})`;
  }
  if (isProxy(value)) return 'a Proxy';
  const name = typedArrayName(value) ?? constructorName(value);
  return name ? `an instance of ${name}` : 'an object';
}

function constructorName(value: object): string | undefined {
  const proto = Object.getPrototypeOf(value) as object | null;
  const ctor = proto === null ? undefined : Object.getOwnPropertyDescriptor(proto, 'constructor')?.value;
  if (typeof ctor !== 'function' || isProxy(ctor)) return undefined;
  const name = Object.getOwnPropertyDescriptor(ctor, 'name')?.value;
  return typeof name === 'string' ? name : undefined;
}
