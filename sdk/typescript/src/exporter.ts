import { promisify } from 'node:util';
import { constants, gzip } from 'node:zlib';
import type { ResolvedConfig } from './config.js';
import { TracewayError, type ItemRejection } from './errors.js';
import { errorMessage } from './json.js';

const gzipAsync = promisify(gzip);

/** One trace or span, already serialized when it was queued (a snapshot: later mutations of the caller's objects do not leak in). */
export interface QueuedItem {
  kind: 'trace' | 'span';
  id: string;
  json: string;
}

export interface ExporterStats {
  /** Items waiting to be sent. */
  queued: number;
  /** Items in the request being sent or retried. */
  inFlight: number;
  /** Items the server stored. */
  sent: number;
  /** Items given up on: queue full, retries exhausted, shutdown deadline. */
  dropped: number;
  /** Items the server refused (4xx, or a 207's per-item errors). */
  rejected: number;
  requests: number;
  retries: number;
}

/** The server takes 5 MB after decompression; stay well under it (string length, close to bytes for JSON). */
const MAX_BODY_CHARS = 4_000_000;
const MAX_RETRY_DELAY_MS = 30_000;
const MAX_RETRY_AFTER_MS = 60_000;
/** Answers that mean "nothing was stored, try again later". Other 4xx and 5xx would fail the same way again. */
const RETRYABLE = new Set([429, 502, 503, 504]);
const USER_AGENT = 'traceway-js/0.1.0';

interface Answer {
  /** 0 when no HTTP answer came (network error, timeout). */
  status: number;
  retryAfterMs?: number;
  body?: unknown;
  error?: unknown;
}

/**
 * Queues serialized items and sends them to `POST /api/ingest` in the background: in batches when
 * `flushAt` items wait or every `flushIntervalMs`, one request at a time, retrying what the server
 * could not store yet. Bounded: queued plus in-flight items never exceed `maxQueueSize`.
 */
export class Exporter {
  private readonly queue: QueuedItem[] = [];
  /** Trace items still queued, by id: a newer version of a trace replaces its queued one (the server keeps only the first of a request). */
  private readonly queuedTraces = new Map<string, QueuedItem>();
  private inFlight = 0;
  private draining: Promise<void> | null = null;
  private kickScheduled = false;
  /** Items dropped on arrival, not yet reported: because the queue was full, or because shutdown had begun. */
  private readonly unreported = { full: 0, closed: 0 };
  /** No new items are taken (after shutdown started). */
  private closed = false;
  /** Retries stop and what waits is dropped (shutdown's deadline passed). */
  private giveUp = false;
  private readonly abort = new AbortController();
  private wake: (() => void) | null = null;
  private readonly timer: NodeJS.Timeout;
  private shutdownPromise: Promise<void> | null = null;
  private readonly counters = { sent: 0, dropped: 0, rejected: 0, requests: 0, retries: 0 };

  constructor(private readonly config: ResolvedConfig) {
    this.timer = setInterval(() => void this.kick(), config.flushIntervalMs);
    // The interval alone must not keep a finished program alive; the exit hook flushes instead.
    this.timer.unref();
    exitHook.add(this);
  }

  /** O(1), no I/O: called on the caller's path when a span or trace ends. */
  enqueue(item: QueuedItem): void {
    const queued = item.kind === 'trace' && !this.closed ? this.queuedTraces.get(item.id) : undefined;
    if (queued !== undefined) {
      // Each version of a trace holds every field set so far, so the newest one is enough
      // (and the server keeps only the first of two in one request).
      queued.json = item.json;
      return;
    }
    if (this.closed || this.queue.length + this.inFlight >= this.config.maxQueueSize) {
      this.counters.dropped++;
      this.unreported[this.closed ? 'closed' : 'full']++;
      this.scheduleKick();
      return;
    }
    if (item.kind === 'trace') {
      this.queuedTraces.set(item.id, item);
    }
    this.queue.push(item);
    if (this.queue.length >= this.config.flushAt) {
      this.scheduleKick();
    }
  }

  stats(): ExporterStats {
    return { queued: this.queue.length, inFlight: this.inFlight, ...this.counters };
  }

  hasPending(): boolean {
    return this.queue.length > 0 || this.draining !== null || this.unreported.full + this.unreported.closed > 0;
  }

  /** Resolves when everything queued before the call has been sent, refused or dropped. */
  async flush(): Promise<void> {
    while (this.queue.length > 0 || this.draining !== null) {
      await this.kick();
    }
    this.reportOverflow();
  }

  /** Flushes, waiting at most `timeoutMs` (then drops what is left and reports it); later items are dropped. */
  shutdown(timeoutMs = this.config.timeoutMs): Promise<void> {
    this.shutdownPromise ??= this.close(timeoutMs);
    return this.shutdownPromise;
  }

  private async close(timeoutMs: number): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    let deadline: NodeJS.Timeout | undefined;
    const expired = new Promise<void>(resolve => {
      deadline = setTimeout(resolve, timeoutMs);
    });
    await Promise.race([this.flush(), expired]);
    clearTimeout(deadline);
    if (this.hasPending()) {
      this.giveUp = true;
      this.abort.abort();
      this.wake?.();
      await this.flush();
    }
    exitHook.delete(this);
  }

  private scheduleKick(): void {
    if (!this.kickScheduled) {
      this.kickScheduled = true;
      // Never send on the caller's stack: the request starts after the caller's synchronous code.
      setImmediate(() => void this.kick());
    }
  }

  private kick(): Promise<void> {
    this.kickScheduled = false;
    this.reportOverflow();
    if (this.draining === null && this.queue.length > 0) {
      this.draining = this.drain().finally(() => {
        this.draining = null;
      });
    }
    return this.draining ?? Promise.resolve();
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.takeBatch();
      if (this.giveUp) {
        this.drop(batch, 'shutdown deadline passed before they could be sent');
        continue;
      }
      this.inFlight = batch.length;
      try {
        await this.deliver(batch);
      } catch (error) {
        // A bug here must not leave items counted as in flight forever.
        this.drop(batch, errorMessage(error));
      } finally {
        this.inFlight = 0;
      }
    }
  }

  private takeBatch(): QueuedItem[] {
    let count = 0;
    let chars = 0;
    while (count < this.queue.length && count < this.config.maxBatchSize) {
      chars += this.queue[count]!.json.length + 1;
      if (count > 0 && chars > MAX_BODY_CHARS) {
        break;
      }
      count++;
    }
    const batch = this.queue.splice(0, count);
    for (const item of batch) {
      if (item.kind === 'trace') {
        this.queuedTraces.delete(item.id);
      }
    }
    return batch;
  }

  /** Sends one batch until it is stored, refused, or retries run out. */
  private async deliver(batch: QueuedItem[]): Promise<void> {
    let pending = batch;
    for (let attempt = 0; ; attempt++) {
      const answer = await this.post(pending);
      if (answer.status >= 200 && answer.status < 300 && answer.status !== 207) {
        this.counters.sent += pending.length;
        return;
      }
      if (answer.status === 207) {
        pending = this.settlePartly(pending, answer.body);
        if (pending.length === 0) {
          return;
        }
      } else if (answer.status !== 0 && !RETRYABLE.has(answer.status)) {
        this.refuse(pending, answer);
        return;
      }
      if (attempt >= this.config.maxRetries || this.giveUp) {
        this.drop(pending, `${describe(answer)}, after ${attempt + 1} attempt${attempt === 0 ? '' : 's'}`);
        return;
      }
      this.counters.retries++;
      await this.sleep(this.retryDelay(attempt, answer.retryAfterMs));
    }
  }

  /** A 207: counts the stored items, reports the refused ones, and returns those the server asks to resend (429/503 per item). */
  private settlePartly(pending: QueuedItem[], body: unknown): QueuedItem[] {
    const { traces, spans } = partition(pending);
    const errors = rejectionsOf(body);
    const retry: QueuedItem[] = [];
    const refused: ItemRejection[] = [];
    const settled = new Set<QueuedItem>();
    for (const error of errors) {
      const item = (error.kind === 'trace' ? traces : spans)[error.index ?? -1];
      if (item === undefined || settled.has(item)) {
        continue;
      }
      settled.add(item);
      if (error.status === 429 || error.status === 503) {
        retry.push(item);
      } else {
        refused.push({ ...error, id: error.id ?? item.id });
      }
    }
    this.counters.sent += pending.length - settled.size;
    if (refused.length > 0) {
      this.counters.rejected += refused.length;
      this.config.report(new TracewayError('rejected',
        `${refused.length} of ${pending.length} items rejected by the server (HTTP 207): ${refused.map(r => `${r.kind} '${r.id}': ${r.detail ?? 'no reason given'}`).join('; ')}`,
        refused.length, refused, 207));
    }
    return retry;
  }

  private refuse(pending: QueuedItem[], answer: Answer): void {
    this.counters.rejected += pending.length;
    const items = rejectionsOf(answer.body);
    this.config.report(new TracewayError('rejected',
      `${pending.length} items rejected by the server (${describe(answer)}); not retried`,
      pending.length, items, answer.status));
  }

  private drop(items: QueuedItem[], reason: string): void {
    if (items.length === 0) {
      return;
    }
    this.counters.dropped += items.length;
    const { traces, spans } = partition(items);
    this.config.report(new TracewayError('dropped',
      `${items.length} items (${traces.length} traces, ${spans.length} spans) dropped: ${reason}`,
      items.length, items.map(i => ({ kind: i.kind, id: i.id }))));
  }

  private reportOverflow(): void {
    const { full, closed } = this.unreported;
    this.unreported.full = 0;
    this.unreported.closed = 0;
    if (full > 0) {
      this.config.report(new TracewayError('dropped', `${full} items dropped: the queue is full (maxQueueSize ${this.config.maxQueueSize})`, full));
    }
    if (closed > 0) {
      this.config.report(new TracewayError('dropped', `${closed} items dropped: they ended after shutdown()`, closed));
    }
  }

  private async post(items: QueuedItem[]): Promise<Answer> {
    const { traces, spans } = partition(items);
    const text = `{"traces":[${traces.map(t => t.json).join(',')}],"spans":[${spans.map(s => s.json).join(',')}]}`;
    const headers: Record<string, string> = {
      authorization: `Bearer ${this.config.apiKey}`,
      'content-type': 'application/json',
      'user-agent': USER_AGENT,
    };
    this.counters.requests++;
    try {
      let body: string | Buffer = text;
      if (text.length >= this.config.gzipThresholdBytes) {
        // The fastest level: JSON still shrinks several times over, at a fraction of the default level's CPU.
        body = await gzipAsync(Buffer.from(text, 'utf8'), { level: constants.Z_BEST_SPEED });
        headers['content-encoding'] = 'gzip';
      }
      const response = await fetch(this.config.ingestUrl, {
        method: 'POST',
        headers,
        body,
        signal: AbortSignal.any([this.abort.signal, AbortSignal.timeout(this.config.timeoutMs)]),
      });
      const raw = await response.text();
      return { status: response.status, retryAfterMs: retryAfterMs(response.headers.get('retry-after')), body: parseJson(raw) };
    } catch (error) {
      return { status: 0, error };
    }
  }

  private retryDelay(attempt: number, retryAfter: number | undefined): number {
    const exponential = Math.min(MAX_RETRY_DELAY_MS, this.config.retryInitialDelayMs * 2 ** attempt);
    const jittered = exponential / 2 + Math.random() * exponential / 2;
    return retryAfter === undefined ? jittered : Math.max(Math.min(retryAfter, MAX_RETRY_AFTER_MS), jittered);
  }

  /** A retry wait; ref'd so a finishing program still delivers, cut short by shutdown's deadline. */
  private sleep(ms: number): Promise<void> {
    return new Promise<void>(resolve => {
      const timer = setTimeout(done, ms);
      this.wake = done;
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
    }).finally(() => {
      this.wake = null;
    });
  }
}

/** Flushes every live exporter when a Node process is about to exit normally (its event loop ran dry). */
const exitHook = new (class {
  private readonly live = new Set<Exporter>();
  private installed = false;

  add(exporter: Exporter): void {
    this.live.add(exporter);
    if (!this.installed) {
      this.installed = true;
      process.on('beforeExit', () => {
        for (const live of this.live) {
          if (live.hasPending()) {
            void live.flush();
          }
        }
      });
    }
  }

  delete(exporter: Exporter): void {
    this.live.delete(exporter);
  }
})();

function partition(items: QueuedItem[]): { traces: QueuedItem[]; spans: QueuedItem[] } {
  const traces: QueuedItem[] = [];
  const spans: QueuedItem[] = [];
  for (const item of items) {
    (item.kind === 'trace' ? traces : spans).push(item);
  }
  return { traces, spans };
}

/** Per-item reasons: a 207 lists them in `errors`, a 400/409 in `items`. */
function rejectionsOf(body: unknown): ItemRejection[] {
  if (typeof body !== 'object' || body === null) {
    return [];
  }
  const list = (body as Record<string, unknown>)['errors'] ?? (body as Record<string, unknown>)['items'];
  if (!Array.isArray(list)) {
    return [];
  }
  return list.filter((e): e is Record<string, unknown> => typeof e === 'object' && e !== null).map(e => ({
    kind: e['kind'] === 'trace' ? 'trace' : 'span',
    id: typeof e['id'] === 'string' ? e['id'] : undefined,
    index: typeof e['index'] === 'number' ? e['index'] : undefined,
    status: typeof e['status'] === 'number' ? e['status'] : undefined,
    detail: typeof e['detail'] === 'string' ? e['detail'] : undefined,
    field: typeof e['field'] === 'string' ? e['field'] : undefined,
  }));
}

function describe(answer: Answer): string {
  if (answer.status === 0) {
    const cause = (answer.error as { cause?: { code?: string; message?: string } } | undefined)?.cause;
    return `network error: ${errorMessage(answer.error)}${cause?.code ? ` (${cause.code})` : cause?.message ? ` (${cause.message})` : ''}`;
  }
  const problem = answer.body as { title?: unknown; detail?: unknown } | undefined;
  const detail = typeof problem?.detail === 'string' ? problem.detail : typeof problem?.title === 'string' ? problem.title : '';
  return `HTTP ${answer.status}${detail ? `: ${detail}` : ''}`;
}

function retryAfterMs(header: string | null): number | undefined {
  if (header === null || header.trim() === '') {
    return undefined;
  }
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) {
    return seconds * 1000;
  }
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

function parseJson(text: string): unknown {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
}
