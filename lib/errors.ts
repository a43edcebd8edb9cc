// Errors with a Node-style `code`, as Node core throws them.

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
      "An array's buffer was detached while an async leaky-relu call worked on it; " +
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

/** How a value looks in an error message: its type, not its contents. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'function') return 'a function';
  if (typeof value !== 'object') return `type ${typeof value} (${String(value).slice(0, 30)})`;
  const name = (value as object).constructor?.name;
  return name ? `an instance of ${name}` : 'an object';
}
