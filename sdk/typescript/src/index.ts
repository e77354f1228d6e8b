export { Traceway } from './client.js';
export { Span, Trace } from './tracing.js';
export type { LlmCallOptions, SpanKind, SpanOptions, Status, ToolCallOptions, TraceOptions, TraceUpdate } from './tracing.js';
export type { TracewayOptions } from './config.js';
export type { ExporterStats as TracewayStats } from './exporter.js';
export { TracewayError, type ItemRejection } from './errors.js';
export type { Usage } from './usage.js';
