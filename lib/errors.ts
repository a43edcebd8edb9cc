// Errors with a Node-style `code`, as Node core throws them.
import { isProxy, typedArrayName } from './intrinsics';

export type ErrorCode =
  | 'ERR_INVALID_ARG_TYPE'
  | 'ERR_INVALID_ARG_VALUE'
  | 'ERR_OUT_OF_RANGE'
  | 'ERR_INVALID_STATE'
  | 'ERR_BUFFER_IN_USE';

type WithCode<E extends Error> = E & { code: ErrorCode };

function withCode<E extends Error>(error: E, code: ErrorCode): WithCode<E> {
  Object.defineProperty(error, 'code', {
    value: code,
    enumerable: true,
    writable: true,
    configurable: true,
  });
  return error as WithCode<E>;
}

export function invalidArgType(message: string): WithCode<TypeError> {
  return withCode(new TypeError(message), 'ERR_INVALID_ARG_TYPE');
}

export function invalidArgValue(message: string): WithCode<TypeError> {
  return withCode(new TypeError(message), 'ERR_INVALID_ARG_VALUE');
}

export function outOfRange(message: string): WithCode<RangeError> {
  return withCode(new RangeError(message), 'ERR_OUT_OF_RANGE');
}

export function detached(name: string): WithCode<TypeError> {
  return withCode(new TypeError(`The "${name}" argument's buffer is detached`), 'ERR_INVALID_STATE');
}

export function detachedWhileInUse(): WithCode<TypeError> {
  return withCode(
    new TypeError(
      "An array's buffer was detached or shrunk while an async leaky-relu call worked on it; " +
        'its memory may be partly transformed',
    ),
    'ERR_INVALID_STATE',
  );
}

export function bufferInUse(name: string): WithCode<Error> {
  return withCode(
    new Error(
      `The "${name}" argument overlaps memory that an unfinished leakyReluAsync/leakyReluBatch ` +
        'call is working on; await it first',
    ),
    'ERR_BUFFER_IN_USE',
  );
}

/** What the async functions reject with when their signal aborts, like Node core's AbortError. */
export function abortError(reason: unknown): Error & { code: 'ABORT_ERR' } {
  const error = new Error('The operation was aborted', { cause: reason }) as Error & {
    code: 'ABORT_ERR';
  };
  error.name = 'AbortError';
  error.code = 'ABORT_ERR';
  return error;
}

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
