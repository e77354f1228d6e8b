/** One item Traceway did not store, with the server's reason (the `errors` of a 207, or the `items` of a 4xx). */
export interface ItemRejection {
  kind: 'trace' | 'span';
  id?: string;
  index?: number;
  status?: number;
  detail?: string;
  field?: string;
}

/**
 * What the SDK reports to `onError`; it never throws into the caller's code.
 * - `config`: the configuration cannot work (no API key: sending is disabled).
 * - `rejected`: the server refused items for what they hold (a 207's per-item errors, or a 4xx): not retried.
 * - `dropped`: items given up on: the queue was full, retries ran out (network, 429, 503), or shutdown's deadline passed.
 */
export class TracewayError extends Error {
  override readonly name = 'TracewayError';

  constructor(
    readonly kind: 'config' | 'rejected' | 'dropped',
    message: string,
    /** How many items (traces and spans) were not stored. */
    readonly dropped = 0,
    /** The server's reason for each refused item, when it gave one. */
    readonly items: ItemRejection[] = [],
    /** The HTTP status of the answer, when there was one. */
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
