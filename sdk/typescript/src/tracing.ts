import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { fromDate, nowMicros, toRfc3339 } from './clock.js';
import { errorMessage } from './json.js';
import { tokenCount, usageOf, type Usage } from './usage.js';

export type SpanKind = 'llm' | 'tool' | 'retrieval' | 'embedding' | 'agent' | 'chain' | 'custom';
export type Status = 'ok' | 'error';

export interface SpanOptions {
  /** What the step is; Traceway's replay groups and labels steps by it. Default `custom`. */
  kind?: SpanKind;
  input?: unknown;
  model?: string;
  provider?: string;
  /** Free-form key/values, stored as the span's `attributes`. */
  metadata?: Record<string, unknown>;
  usage?: Usage;
  /** Cost in USD; when absent, Traceway estimates it from the tokens for models in its price table. */
  cost?: number;
  /** Defaults to now. */
  startedAt?: Date;
}

export interface LlmCallOptions extends Omit<SpanOptions, 'kind'> {
  /** Temperature, max tokens and the like; stored under `attributes.modelParameters`. */
  modelParameters?: Record<string, unknown>;
}

export type ToolCallOptions = Omit<SpanOptions, 'kind'>;

export interface TraceOptions {
  /** Traces that share a session id form one session, replayed turn by turn. */
  sessionId?: string;
  userId?: string;
  tags?: string[];
  metadata?: Record<string, unknown>;
  /** The turn's input (the user's message); without it the replay shows the first LLM call's input. */
  input?: unknown;
  /** Defaults to a random UUID. */
  id?: string;
  /** Defaults to now. */
  startedAt?: Date;
}

export interface TraceUpdate {
  name?: string;
  userId?: string;
  input?: unknown;
  output?: unknown;
  /** Added to the trace's tags. */
  tags?: string[];
  /** Merged into the trace's metadata. */
  metadata?: Record<string, unknown>;
  status?: Status;
}

/** Where ended traces and spans go (the exporter, or nowhere when tracing is disabled). @internal */
export interface ItemSink {
  readonly active: boolean;
  enqueue(kind: 'trace' | 'span', id: string, item: object): void;
}

type Fn<T> = (span: Span) => T;

/** The span or trace whose callback is running: new spans nest under it. */
const current = new AsyncLocalStorage<Span | Trace>();

/**
 * One step of a trace: an LLM call, a tool call, a retrieval or any custom step. Sent when it ends.
 * Setters return the span, so they chain.
 */
export class Span {
  readonly id: string;
  readonly parentId: string | null;
  /** @internal */
  readonly trace: Trace;
  private readonly name: string;
  private readonly kind: SpanKind;
  private readonly startedAt: number;
  private model: string | undefined;
  private provider: string | undefined;
  private input: unknown;
  private output: unknown;
  private outputSet = false;
  private inputTokens: number | undefined;
  private outputTokens: number | undefined;
  private usageSet = false;
  private cost: number | undefined;
  private status: Status = 'ok';
  private error: string | undefined;
  private attributes: Record<string, unknown> | undefined;
  private endedAt: number | undefined;

  /** @internal */
  constructor(trace: Trace, parentId: string | null, name: string, kind: SpanKind, options: LlmCallOptions | undefined) {
    this.id = randomUUID();
    this.trace = trace;
    this.parentId = parentId;
    this.name = String(name);
    this.kind = kind;
    this.startedAt = startOf(options?.startedAt);
    if (options !== undefined) {
      this.model = options.model;
      this.provider = options.provider;
      this.input = options.input;
      this.cost = options.cost;
      if (options.usage !== undefined) {
        this.setUsage(options.usage);
      }
      if (options.metadata !== undefined) {
        this.attributes = { ...options.metadata };
      }
      if (options.modelParameters !== undefined) {
        (this.attributes ??= {})['modelParameters'] = options.modelParameters;
      }
    }
  }

  get traceId(): string {
    return this.trace.id;
  }

  get ended(): boolean {
    return this.endedAt !== undefined;
  }

  setInput(input: unknown): this {
    this.input = input;
    return this;
  }

  /** The step's result. An LLM response carrying `usage` (OpenAI, Anthropic, ...) also sets the token counts, unless `setUsage` did. */
  setOutput(output: unknown): this {
    this.output = output;
    this.outputSet = true;
    return this;
  }

  setUsage(usage: Usage): this {
    this.inputTokens = tokenCount(usage?.inputTokens) ?? this.inputTokens;
    this.outputTokens = tokenCount(usage?.outputTokens) ?? this.outputTokens;
    this.usageSet = true;
    return this;
  }

  /** Cost in USD; wins over Traceway's estimate. */
  setCost(usd: number): this {
    this.cost = typeof usd === 'number' && Number.isFinite(usd) && usd >= 0 ? usd : this.cost;
    return this;
  }

  /** Merged into the span's attributes. */
  setMetadata(metadata: Record<string, unknown>): this {
    this.attributes = { ...this.attributes, ...metadata };
    return this;
  }

  setModel(model: string, provider?: string): this {
    this.model = model;
    this.provider = provider ?? this.provider;
    return this;
  }

  /** Marks the span failed with the error's message (done for you when its callback throws). */
  setError(error: unknown): this {
    this.status = 'error';
    this.error = errorMessage(error);
    return this;
  }

  /** Ends the span (callback spans end by themselves) and queues it for sending. Later calls do nothing. */
  end(output?: unknown): void {
    if (this.endedAt !== undefined) {
      return;
    }
    if (output !== undefined) {
      this.setOutput(output);
    }
    this.endedAt = nowMicros();
    this.trace.spanEnded(this);
  }

  /** A child span of this one. */
  span(name: string, options?: SpanOptions): Span;
  span<T>(name: string, fn: Fn<T>): T;
  span<T>(name: string, options: SpanOptions | undefined, fn: Fn<T>): T;
  span<T>(name: string, a?: SpanOptions | Fn<T>, b?: Fn<T>): Span | T {
    return start(this.trace, this.id, undefined, name, a, b);
  }

  llmCall(name: string, options?: LlmCallOptions): Span;
  llmCall<T>(name: string, fn: Fn<T>): T;
  llmCall<T>(name: string, options: LlmCallOptions | undefined, fn: Fn<T>): T;
  llmCall<T>(name: string, a?: LlmCallOptions | Fn<T>, b?: Fn<T>): Span | T {
    return start(this.trace, this.id, 'llm', name, a, b);
  }

  toolCall(name: string, options?: ToolCallOptions): Span;
  toolCall<T>(name: string, fn: Fn<T>): T;
  toolCall<T>(name: string, options: ToolCallOptions | undefined, fn: Fn<T>): T;
  toolCall<T>(name: string, a?: ToolCallOptions | Fn<T>, b?: Fn<T>): Span | T {
    return start(this.trace, this.id, 'tool', name, a, b);
  }

  retrieval(name: string, options?: ToolCallOptions): Span;
  retrieval<T>(name: string, fn: Fn<T>): T;
  retrieval<T>(name: string, options: ToolCallOptions | undefined, fn: Fn<T>): T;
  retrieval<T>(name: string, a?: ToolCallOptions | Fn<T>, b?: Fn<T>): Span | T {
    return start(this.trace, this.id, 'retrieval', name, a, b);
  }

  /** @internal */
  finish(result: unknown): void {
    if (!this.outputSet && result !== undefined) {
      this.setOutput(result);
    }
    this.end();
  }

  /** @internal */
  fail(error: unknown): void {
    this.setError(error);
    this.end();
  }

  /** The ingest item (API.md, POST /api/ingest, top-level span). @internal */
  toItem(): object {
    if (!this.usageSet && this.outputSet) {
      const found = usageOf(this.output);
      this.inputTokens = found?.inputTokens;
      this.outputTokens = found?.outputTokens;
    }
    return {
      id: this.id,
      traceId: this.trace.id,
      sessionId: this.trace.sessionId,
      parentId: this.parentId,
      name: this.name,
      kind: this.kind,
      model: this.model,
      provider: this.provider,
      input: this.input,
      output: this.output,
      inputTokens: this.inputTokens,
      outputTokens: this.outputTokens,
      cost: this.cost,
      status: this.status,
      error: this.error,
      startedAt: toRfc3339(this.startedAt),
      endedAt: this.endedAt === undefined ? undefined : toRfc3339(this.endedAt),
      attributes: this.attributes,
    };
  }
}

/**
 * One trace (a turn of a session): the `ctx` of `tw.trace(...)`, or what `tw.createTrace(...)` returns.
 * Spans made from it nest under the span whose callback is running, else at the top of the trace.
 * Sent when it ends; while it runs, its start goes out with its first ended span, so long turns show up early.
 */
export class Trace {
  readonly id: string;
  readonly sessionId: string | undefined;
  private readonly sink: ItemSink;
  private readonly startedAt: number;
  private name: string;
  private userId: string | undefined;
  private input: unknown;
  private output: unknown;
  private outputSet = false;
  private tags: string[] | undefined;
  private metadata: Record<string, unknown> | undefined;
  private status: Status | undefined;
  private endedAt: number | undefined;
  private startSent = false;

  /** @internal */
  constructor(sink: ItemSink, name: string, options: TraceOptions | undefined) {
    this.sink = sink;
    this.id = options?.id ?? randomUUID();
    this.name = String(name);
    this.startedAt = startOf(options?.startedAt);
    this.sessionId = options?.sessionId;
    this.userId = options?.userId;
    this.input = options?.input;
    this.tags = options?.tags === undefined ? undefined : [...options.tags];
    this.metadata = options?.metadata === undefined ? undefined : { ...options.metadata };
  }

  get ended(): boolean {
    return this.endedAt !== undefined;
  }

  span(name: string, options?: SpanOptions): Span;
  span<T>(name: string, fn: Fn<T>): T;
  span<T>(name: string, options: SpanOptions | undefined, fn: Fn<T>): T;
  span<T>(name: string, a?: SpanOptions | Fn<T>, b?: Fn<T>): Span | T {
    return start(this, this.activeSpanId(), undefined, name, a, b);
  }

  llmCall(name: string, options?: LlmCallOptions): Span;
  llmCall<T>(name: string, fn: Fn<T>): T;
  llmCall<T>(name: string, options: LlmCallOptions | undefined, fn: Fn<T>): T;
  llmCall<T>(name: string, a?: LlmCallOptions | Fn<T>, b?: Fn<T>): Span | T {
    return start(this, this.activeSpanId(), 'llm', name, a, b);
  }

  toolCall(name: string, options?: ToolCallOptions): Span;
  toolCall<T>(name: string, fn: Fn<T>): T;
  toolCall<T>(name: string, options: ToolCallOptions | undefined, fn: Fn<T>): T;
  toolCall<T>(name: string, a?: ToolCallOptions | Fn<T>, b?: Fn<T>): Span | T {
    return start(this, this.activeSpanId(), 'tool', name, a, b);
  }

  retrieval(name: string, options?: ToolCallOptions): Span;
  retrieval<T>(name: string, fn: Fn<T>): T;
  retrieval<T>(name: string, options: ToolCallOptions | undefined, fn: Fn<T>): T;
  retrieval<T>(name: string, a?: ToolCallOptions | Fn<T>, b?: Fn<T>): Span | T {
    return start(this, this.activeSpanId(), 'retrieval', name, a, b);
  }

  /** Changes the trace's fields. After the trace ended, the change is sent at once (Traceway merges it in). */
  update(fields: TraceUpdate): this {
    if (fields.name !== undefined) {
      this.name = String(fields.name);
    }
    if (fields.userId !== undefined) {
      this.userId = fields.userId;
    }
    if (fields.input !== undefined) {
      this.input = fields.input;
    }
    if (fields.output !== undefined) {
      this.output = fields.output;
      this.outputSet = true;
    }
    if (fields.tags !== undefined) {
      this.tags = [...new Set([...(this.tags ?? []), ...fields.tags])];
    }
    if (fields.metadata !== undefined) {
      this.metadata = { ...this.metadata, ...fields.metadata };
    }
    if (fields.status !== undefined) {
      this.status = fields.status === 'error' || this.status === 'error' ? 'error' : 'ok';
    }
    if (this.endedAt !== undefined) {
      this.send();
    }
    return this;
  }

  /** Ends the trace and queues it for sending (`tw.trace` does this for you). Later calls do nothing. */
  end(fields?: TraceUpdate): void {
    if (this.endedAt !== undefined) {
      return;
    }
    if (fields !== undefined) {
      this.update(fields);
    }
    this.endedAt = nowMicros();
    this.status ??= 'ok';
    this.send();
  }

  /** @internal */
  finish(result: unknown): void {
    if (!this.outputSet && result !== undefined) {
      this.output = result;
      this.outputSet = true;
    }
    this.end();
  }

  /** @internal */
  fail(error: unknown): void {
    this.status = 'error';
    this.metadata = { ...this.metadata, error: errorMessage(error) };
    this.end();
  }

  /** @internal */
  spanEnded(span: Span): void {
    if (!this.sink.active) {
      return;
    }
    if (!this.startSent && this.endedAt === undefined) {
      this.send();
    }
    this.sink.enqueue('span', span.id, span.toItem());
  }

  private send(): void {
    if (this.sink.active) {
      this.startSent = true;
      this.sink.enqueue('trace', this.id, this.toItem());
    }
  }

  private activeSpanId(): string | null {
    const active = current.getStore();
    return active instanceof Span && active.trace === this ? active.id : null;
  }

  /** The ingest item (API.md, POST /api/ingest, trace). */
  private toItem(): object {
    return {
      id: this.id,
      name: this.name,
      sessionId: this.sessionId,
      userId: this.userId,
      startedAt: toRfc3339(this.startedAt),
      endedAt: this.endedAt === undefined ? undefined : toRfc3339(this.endedAt),
      input: this.input,
      output: this.output,
      status: this.status,
      tags: this.tags,
      metadata: this.metadata,
    };
  }
}

/** Runs `fn` as the trace's body: its spans nest under the trace, its result is the trace's output, a throw marks it failed. @internal */
export function runTrace<T>(trace: Trace, fn: (ctx: Trace) => T): T {
  return settle(trace, () => current.run(trace, fn, trace));
}

function start<T>(trace: Trace, parentId: string | null, kind: SpanKind | undefined, name: string, a: LlmCallOptions | Fn<T> | undefined, b: Fn<T> | undefined): Span | T {
  const options = typeof a === 'function' ? undefined : a;
  const fn = typeof a === 'function' ? a : b;
  const span = new Span(trace, parentId, name, kind ?? (options as SpanOptions | undefined)?.kind ?? 'custom', options);
  if (typeof fn !== 'function') {
    return span;
  }
  return settle(span, () => current.run(span, fn, span));
}

/** Ends `owner` when `body` returns or settles; a throw or rejection marks it failed and reaches the caller unchanged. */
function settle<T>(owner: Span | Trace, body: () => T): T {
  let result: T;
  try {
    result = body();
  } catch (error) {
    owner.fail(error);
    throw error;
  }
  if (isPromiseLike(result)) {
    return Promise.resolve(result).then(
      value => {
        owner.finish(value);
        return value;
      },
      (error: unknown) => {
        owner.fail(error);
        throw error;
      },
    ) as T;
  }
  owner.finish(result);
  return result;
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return (typeof value === 'object' || typeof value === 'function') && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

function startOf(date: Date | undefined): number {
  return date instanceof Date && !Number.isNaN(date.getTime()) ? fromDate(date) : nowMicros();
}
