namespace Traceway.Documents;

/// <summary>A span input or output kept in Blob storage because it is large; the document keeps a preview.</summary>
internal sealed record PayloadReference(string Blob, long Bytes, string Preview);

/// <summary>
/// One trace (a request or conversation turn) in the <c>traces</c> container. Inputs, outputs, metadata
/// and attributes are kept as the JSON text that was sent: Cosmos DB would store numbers as doubles
/// (losing big integers and their exact spelling), and these fields are never queried.
/// </summary>
internal sealed record TraceDocument
{
    public const string DocumentType = "trace";

    public required string Id { get; init; }

    public required string Pk { get; init; }

    public string Type { get; init; } = DocumentType;

    public required string ProjectId { get; init; }

    public required string TraceId { get; init; }

    public string? SessionId { get; init; }

    public string? Name { get; init; }

    public string? UserId { get; init; }

    public required DateTimeOffset StartedAt { get; init; }

    public DateTimeOffset? EndedAt { get; init; }

    public string? Input { get; init; }

    public PayloadReference? InputRef { get; init; }

    public string? Output { get; init; }

    public PayloadReference? OutputRef { get; init; }

    public string? Status { get; init; }

    public IReadOnlyList<string>? Tags { get; init; }

    public string? Metadata { get; init; }
}

/// <summary>One span (LLM call, tool call, retrieval, step) in its trace's partition of <c>traces</c>.</summary>
internal sealed record SpanDocument
{
    public const string DocumentType = "span";

    public required string Id { get; init; }

    public required string Pk { get; init; }

    public string Type { get; init; } = DocumentType;

    public required string ProjectId { get; init; }

    public required string TraceId { get; init; }

    public string? SessionId { get; init; }

    public required string SpanId { get; init; }

    public string? ParentId { get; init; }

    public required string Name { get; init; }

    public string? Kind { get; init; }

    public string? Model { get; init; }

    public string? Provider { get; init; }

    public string? Input { get; init; }

    public PayloadReference? InputRef { get; init; }

    public string? Output { get; init; }

    public PayloadReference? OutputRef { get; init; }

    public long? InputTokens { get; init; }

    public long? OutputTokens { get; init; }

    public double? Cost { get; init; }

    public string? CostSource { get; init; }

    public string? Status { get; init; }

    public string? Error { get; init; }

    public required DateTimeOffset StartedAt { get; init; }

    public DateTimeOffset? EndedAt { get; init; }

    public string? Attributes { get; init; }
}

/// <summary>
/// Where a trace lives: written when the trace or its first span is first seen. Its session never changes once known;
/// a trace first seen without one adopts it later, and <see cref="MovedFrom"/> then names the trace's own partition
/// until every document has moved from there to the session's (<see cref="Pk"/>).
/// </summary>
internal sealed record TraceLocation(string Id, string ProjectId, string TraceId, string? SessionId, string Pk, string? MovedFrom = null)
{
    /// <summary>In a session and done moving: it will never change again.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool IsSettled => SessionId is not null && MovedFrom is null;
}
