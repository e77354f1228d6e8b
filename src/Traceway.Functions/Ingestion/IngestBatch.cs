using Traceway.Traces;

namespace Traceway.Ingestion;

/// <summary>A validated ingest request: the items to store and the items already rejected.</summary>
internal sealed record IngestBatch(IReadOnlyList<TraceEntry> Traces, IReadOnlyList<SpanEntry> Spans, IReadOnlyList<ItemError> Rejected)
{
    public int ItemCount => Traces.Sum(t => 1 + t.Spans.Count) + Spans.Count + Rejected.Count;
}

/// <summary>A trace at <see cref="Index"/> in the request's <c>traces</c>, with its nested spans.</summary>
internal sealed record TraceEntry(int Index, TraceDocument Trace, IReadOnlyList<SpanEntry> Spans);

/// <summary>A span at <see cref="Index"/> in <c>spans</c>, or nested at <c>traces[Index].spans[SpanIndex]</c>.</summary>
internal sealed record SpanEntry(int Index, int? SpanIndex, SpanDocument Span);

/// <summary>An item not stored, and why: 400 invalid, 409 conflicts with what is stored, 503 the store failed.</summary>
internal sealed record ItemError(string Kind, int Index, int? SpanIndex, string? Id, int Status, string Detail, string? Field = null)
{
    public static ItemError For(TraceEntry entry, int status, string detail) => new("trace", entry.Index, null, entry.Trace.TraceId, status, detail);

    public static ItemError For(SpanEntry entry, int status, string detail) => new("span", entry.Index, entry.SpanIndex, entry.Span.SpanId, status, detail);
}
