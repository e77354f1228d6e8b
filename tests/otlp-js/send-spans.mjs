// Sends the turns of a plan as OpenTelemetry spans, through the OpenTelemetry JS SDK and one of its OTLP/HTTP
// exporters, to the endpoint and headers that the standard variables name (OTEL_EXPORTER_OTLP_ENDPOINT,
// OTEL_EXPORTER_OTLP_HEADERS), as an instrumented application configured to export to Traceway would.
//
// Input: on standard input, JSON {"encoding": "json" | "protobuf", "service": "...", "turns": [{"root": Span,
// "children": [Span...], "oneExport"?: true}]} where Span is {"name", "startedAt" (RFC 3339), "durationMs", "attributes",
// "error"?: message, "exportAfter"?: true}; children hang off their turn's root. Each turn's children are ended
// in order and exported (in one export, or in several where a child says exportAfter) before its root is ended
// and exported in a later one, as long-running agent roots arrive (unless the turn says oneExport).
// Output: one JSON line, {"traces": [{"traceId", "rootSpanId", "childSpanIds": [...]}]}; exit 1 when an export failed.
import { readFileSync } from 'node:fs';
import { DiagConsoleLogger, DiagLogLevel, SpanStatusCode, context, diag, trace } from '@opentelemetry/api';
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtobufExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';

const plan = JSON.parse(readFileSync(0, 'utf8'));
// OTEL_LOG_LEVEL=verbose shows the exporters' retries on stderr.
const logLevel = DiagLogLevel[(process.env.OTEL_LOG_LEVEL ?? '').toUpperCase()];
if (logLevel !== undefined) {
  diag.setLogger(new DiagConsoleLogger(), logLevel);
}
const exporters = { json: JsonExporter, protobuf: ProtobufExporter };
if (!exporters[plan.encoding]) {
  throw new Error(`encoding must be json or protobuf, not ${plan.encoding}`);
}

// The SDK reports a failed export only to the processor, which drops it: keep every failure to fail the run.
const failures = [];
const inner = new exporters[plan.encoding]();
const exporter = {
  export(spans, done) {
    inner.export(spans, (result) => {
      if (result.code !== 0) {
        failures.push(`${spans.length} spans: ${result.error?.message ?? 'failed'}`);
      }
      done(result);
    });
  },
  forceFlush: () => inner.forceFlush(),
  shutdown: () => inner.shutdown(),
};

const provider = new BasicTracerProvider({
  resource: resourceFromAttributes({ 'service.name': plan.service }),
  spanProcessors: [new BatchSpanProcessor(exporter)],
});
const tracer = provider.getTracer('traceway-otlp-js-client', '1.0.0');

const start = (span, parent) =>
  tracer.startSpan(span.name, { startTime: new Date(span.startedAt), attributes: span.attributes }, parent);

const end = (started, span) => {
  if (span.error) {
    started.setStatus({ code: SpanStatusCode.ERROR, message: span.error });
  }
  started.end(new Date(Date.parse(span.startedAt) + span.durationMs));
};

const sent = [];
for (const turn of plan.turns) {
  const root = start(turn.root, context.active());
  const underRoot = trace.setSpan(context.active(), root);
  const children = turn.children.map((child) => [start(child, underRoot), child]);
  for (const [started, child] of children) {
    end(started, child);
    if (child.exportAfter) {
      await provider.forceFlush();
    }
  }
  // A turn that says oneExport goes out whole, root included, as a short turn does.
  if (!turn.oneExport) {
    await provider.forceFlush();
  }
  end(root, turn.root);
  await provider.forceFlush();
  sent.push({
    traceId: root.spanContext().traceId,
    rootSpanId: root.spanContext().spanId,
    childSpanIds: children.map(([started]) => started.spanContext().spanId),
  });
}

await provider.shutdown();
console.log(JSON.stringify({ traces: sent }));
if (failures.length > 0) {
  console.error(`export failed: ${failures.join('; ')}`);
  process.exit(1);
}
