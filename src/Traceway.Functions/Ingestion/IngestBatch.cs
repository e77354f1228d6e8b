using Traceway.Documents;

namespace Traceway.Ingestion;

/// <summary>
/// The seam between a request format and the <see cref="IngestPipeline"/>: a format's parser (<see cref="JsonIngestParser"/>)
/// turns a request into validated items and the items it rejected; the pipeline stores the rest.
/// </summary>
internal sealed record IngestBatch(IReadOnlyList<TraceEntry> Traces, IReadOnlyList<SpanEntry> Spans, IReadOnlyList<ItemError> Rejected)
{
    public int ItemCount => Traces.Sum(t => 1 + t.Spans.Count) + Spans.Count + Rejected.Count;

    /// <summary>The request format it was parsed from (<c>json</c>, <c>otlp</c>), for Traceway's own metrics.</summary>
    public string Format { get; init; } = "json";
}

/// <summary>A trace at <see cref="Index"/> in the request's <c>traces</c>, with its nested spans.</summary>
internal sealed record TraceEntry(int Index, TraceItem Trace, IReadOnlyList<SpanEntry> Spans);

/// <summary>A span at <see cref="Index"/> in <c>spans</c>, or nested at <c>traces[Index].spans[SpanIndex]</c>.</summary>
internal sealed record SpanEntry(int Index, int? SpanIndex, SpanItem Span);

/// <summary>An item not stored, and why: 400 invalid, 409 conflicts with what is stored, 503 the store failed.</summary>
internal sealed record ItemError(string Kind, int Index, int? SpanIndex, string? Id, int Status, string Detail, string? Field = null)
{
    /// <summary>The store refused it for load (a 503 to the item; a 429 to a request where nothing was stored).</summary>
    public bool Throttled { get; init; }

    public static ItemError For(TraceEntry entry, StoreFailure failure) =>
        new("trace", entry.Index, null, entry.Trace.TraceId, failure.Status, failure.Detail) { Throttled = failure.Throttled };

    public static ItemError For(SpanEntry entry, StoreFailure failure) =>
        new("span", entry.Index, entry.SpanIndex, entry.Span.SpanId, failure.Status, failure.Detail) { Throttled = failure.Throttled };
}

/// <summary>Why an item could not be stored: its status for the caller and a sentence saying what to do.</summary>
internal sealed record StoreFailure(int Status, string Detail, bool Throttled = false)
{
    public static StoreFailure Conflict(string detail) => new(409, detail);
}
