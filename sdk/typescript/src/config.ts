import { TracewayError } from './errors.js';

export interface TracewayOptions {
  /** Ingest key of the project. Default: `TRACEWAY_API_KEY`. Without one, nothing is sent (one warning). */
  apiKey?: string;
  /** Where Traceway runs. Default: `TRACEWAY_BASE_URL`, else `http://127.0.0.1:7071`. */
  baseUrl?: string;
  /** Send as soon as this many items (traces and spans) wait. Default 50. */
  flushAt?: number;
  /** Send what waits at least this often, in milliseconds. Default 1000. */
  flushIntervalMs?: number;
  /** Most items held (queued and in flight); beyond it new items are dropped and counted. Default 10000. */
  maxQueueSize?: number;
  /** Most items in one request (the server takes up to 1000). Default 500. */
  maxBatchSize?: number;
  /** Timeout of one HTTP request, in milliseconds. Default 10000. */
  timeoutMs?: number;
  /** Retries of a batch after a network error, 429 or 503. Default 5. */
  maxRetries?: number;
  /** First retry delay in milliseconds; doubles each retry (with jitter, at most 30 s), or what Retry-After says. Default 500. */
  retryInitialDelayMs?: number;
  /** Gzip request bodies of at least this many bytes; `Infinity` never compresses. Default 16384. */
  gzipThresholdBytes?: number;
  /** `false` records nothing and sends nothing; your code runs as before. Default true. */
  enabled?: boolean;
  /** Receives what went wrong in the background (rejected or dropped items). Default: a console warning. */
  onError?: (error: TracewayError) => void;
}

export interface ResolvedConfig {
  apiKey: string;
  ingestUrl: string;
  flushAt: number;
  flushIntervalMs: number;
  maxQueueSize: number;
  maxBatchSize: number;
  timeoutMs: number;
  maxRetries: number;
  retryInitialDelayMs: number;
  gzipThresholdBytes: number;
  enabled: boolean;
  report: (error: TracewayError) => void;
}

export const DEFAULT_BASE_URL = 'http://127.0.0.1:7071';
/** The server's per-request item limit (API.md). */
const SERVER_MAX_ITEMS = 1000;

let warnedMissingKey = false;

/** Options over environment over defaults. Never throws: a bad number falls back to its default. */
export function resolveConfig(options: TracewayOptions = {}): ResolvedConfig {
  const onError = options.onError ?? defaultOnError;
  const report = (error: TracewayError): void => {
    try {
      onError(error);
    } catch {
      // A failing handler must not break the exporter or the caller.
    }
  };
  const apiKey = (options.apiKey ?? process.env['TRACEWAY_API_KEY'] ?? '').trim();
  const baseUrl = (options.baseUrl ?? process.env['TRACEWAY_BASE_URL'] ?? DEFAULT_BASE_URL).trim() || DEFAULT_BASE_URL;
  let enabled = options.enabled ?? true;
  if (enabled && apiKey === '') {
    enabled = false;
    if (!warnedMissingKey) {
      warnedMissingKey = true;
      report(new TracewayError('config', 'Traceway: no API key (set TRACEWAY_API_KEY or pass apiKey); tracing is disabled and nothing will be sent.'));
    }
  }
  return {
    apiKey,
    ingestUrl: baseUrl.replace(/\/+$/, '') + '/api/ingest',
    flushAt: positive(options.flushAt, 50),
    flushIntervalMs: positive(options.flushIntervalMs, 1000),
    maxQueueSize: positive(options.maxQueueSize, 10_000),
    maxBatchSize: Math.min(positive(options.maxBatchSize, 500), SERVER_MAX_ITEMS),
    timeoutMs: positive(options.timeoutMs, 10_000),
    maxRetries: nonNegative(options.maxRetries, 5),
    retryInitialDelayMs: nonNegative(options.retryInitialDelayMs, 500),
    gzipThresholdBytes: nonNegative(options.gzipThresholdBytes, 16_384),
    enabled,
    report,
  };
}

function defaultOnError(error: TracewayError): void {
  console.warn(error.kind === 'config' ? error.message : `Traceway: ${error.message}`);
}

function positive(value: number | undefined, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 1 ? Math.floor(value) : fallback;
}

function nonNegative(value: number | undefined, fallback: number): number {
  if (value === Infinity) {
    return Infinity;
  }
  return typeof value === 'number' && value >= 0 && Number.isFinite(value) ? Math.floor(value) : fallback;
}
