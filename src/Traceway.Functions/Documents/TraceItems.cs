namespace Traceway.Documents;

/// <summary>
/// A validated trace as the request states it (any ingest format's parser makes these). Its partition comes from the
/// trace index (a stored trace keeps its session), so its <see cref="TraceDocument"/> is built, complete, once the
/// trace is located: the document is this item plus where and how it is stored.
/// </summary>
internal record TraceItem
{
    public required string TraceId { get; init; }

    public string? SessionId { get; init; }

    public string? Name { get; init; }

    public string? UserId { get; init; }

    public required DateTimeOffset StartedAt { get; init; }

    public DateTimeOffset? EndedAt { get; init; }

    public string? Input { get; init; }

    public string? Output { get; init; }

    public string? Status { get; init; }

    public IReadOnlyList<string>? Tags { get; init; }

    public string? Metadata { get; init; }

    /// <summary>
    /// True for a trace item made from spans other than its root (OTLP: a user id or tags on a span exported before
    /// its root): it only brings what those spans carry, and never overrides what a root gave (<see cref="Ingestion.DocumentMerge"/>).
    /// </summary>
    public bool? Provisional { get; init; }

    public TraceDocument ToDocument(TraceLocation location) => new(this, location);
}

/// <summary>A validated span as the request states it; its <see cref="SpanDocument"/> is built once its trace is located.</summary>
internal record SpanItem
{
    public required string TraceId { get; init; }

    public string? SessionId { get; init; }

    public required string SpanId { get; init; }

    public string? ParentId { get; init; }

    public required string Name { get; init; }

    public string? Kind { get; init; }

    public string? Model { get; init; }

    public string? Provider { get; init; }

    public string? Input { get; init; }

    public string? Output { get; init; }

    public long? InputTokens { get; init; }

    public long? OutputTokens { get; init; }

    public double? Cost { get; init; }

    public string? Status { get; init; }

    public string? Error { get; init; }

    public required DateTimeOffset StartedAt { get; init; }

    public DateTimeOffset? EndedAt { get; init; }

    public string? Attributes { get; init; }

    public SpanDocument ToDocument(TraceLocation location) => new(this, location);
}

/// <summary>Where a span's cost came from: the caller, or the model's list price.</summary>
internal static class CostSources
{
    public const string Provided = "provided";
    public const string Estimated = "estimated";
}
