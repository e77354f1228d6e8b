import { resolveConfig, type ResolvedConfig, type TracewayOptions } from './config.js';
import { Exporter, type ExporterStats } from './exporter.js';
import { toJson } from './json.js';
import { runTrace, Trace, type ItemSink, type TraceOptions } from './tracing.js';

/**
 * The Traceway client. `new Traceway()` reads `TRACEWAY_API_KEY` and `TRACEWAY_BASE_URL`; options win.
 * Without a key it traces nothing and sends nothing, after one warning. It never throws into your code:
 * what fails in the background goes to `onError`.
 */
export class Traceway {
  private readonly config: ResolvedConfig;
  private readonly exporter: Exporter | null;
  private readonly sink: ItemSink;

  constructor(options?: TracewayOptions) {
    this.config = resolveConfig(options);
    const exporter = this.config.enabled ? new Exporter(this.config) : null;
    this.exporter = exporter;
    this.sink = exporter === null
      ? { active: false, enqueue: () => undefined }
      : { active: true, enqueue: (kind, id, item) => exporter.enqueue({ kind, id, json: toJson(item) }) };
  }

  /** Whether anything is sent (an API key was found and `enabled` is not false). */
  get enabled(): boolean {
    return this.config.enabled;
  }

  /**
   * Runs `fn` as one trace (a turn) and returns what it returns, recording it as the trace's output.
   * Spans made with `ctx` inside nest automatically, also across `await`; concurrent traces never mix.
   * If `fn` throws or rejects, the trace is marked `error` with the message and the error is rethrown unchanged.
   */
  trace<T>(name: string, fn: (ctx: Trace) => T, options?: TraceOptions): T {
    return runTrace(new Trace(this.sink, name, options), fn);
  }

  /** Low-level: a trace you end yourself with `trace.end(...)`. Nothing of it is sent until a span of it or the trace ends. */
  createTrace(name: string, options?: TraceOptions): Trace {
    return new Trace(this.sink, name, options);
  }

  /** Sends everything ended so far; resolves when it is stored, refused or dropped (see `onError`). */
  async flush(): Promise<void> {
    await this.exporter?.flush();
  }

  /**
   * Flushes and stops: waits at most `timeoutMs` (default: the client's `timeoutMs`), then drops what is
   * left and reports it to `onError`. Items ended later are dropped. Pending data is also flushed by
   * itself when a Node process exits normally; call this before `process.exit()` or in a serverless handler.
   */
  async shutdown(options?: { timeoutMs?: number }): Promise<void> {
    await this.exporter?.shutdown(options?.timeoutMs);
  }

  /** Counters of the background sender. */
  stats(): ExporterStats {
    return this.exporter?.stats() ?? { queued: 0, inFlight: 0, sent: 0, dropped: 0, rejected: 0, requests: 0, retries: 0 };
  }
}
