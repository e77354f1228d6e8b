using System.Diagnostics.CodeAnalysis;

namespace Traceway.Documents;

/// <summary>A span input or output kept in Blob storage because it is large; the document keeps a preview.</summary>
internal sealed record PayloadReference(string Blob, long Bytes, string Preview);

/// <summary>
/// One trace (a request or conversation turn) in the <c>traces</c> container. Inputs, outputs, metadata
/// and attributes are kept as the JSON text that was sent: Cosmos DB would store numbers as doubles
/// (losing big integers and their exact spelling), and these fields are never queried.
/// </summary>
internal sealed record TraceDocument : TraceItem
{
    public const string DocumentType = "trace";

    public required string Id { get; init; }

    public required string Pk { get; init; }

    public string Type { get; init; } = DocumentType;

    public required string ProjectId { get; init; }

    public PayloadReference? InputRef { get; init; }

    public PayloadReference? OutputRef { get; init; }

    public TraceDocument()
    {
    }

    /// <summary>The document of <paramref name="item"/>, complete: the item as stated, stored where the trace index says.</summary>
    [SetsRequiredMembers]
    public TraceDocument(TraceItem item, TraceLocation location)
        : base(item)
    {
        Id = DocumentKeys.TraceDocumentId(item.TraceId);
        Pk = location.Pk;
        ProjectId = location.ProjectId;
        SessionId = location.SessionId;
    }
}

/// <summary>One span (LLM call, tool call, retrieval, step) in its trace's partition of <c>traces</c>.</summary>
internal sealed record SpanDocument : SpanItem
{
    public const string DocumentType = "span";

    public required string Id { get; init; }

    public required string Pk { get; init; }

    public string Type { get; init; } = DocumentType;

    public required string ProjectId { get; init; }

    public PayloadReference? InputRef { get; init; }

    public PayloadReference? OutputRef { get; init; }

    public string? CostSource { get; init; }

    public SpanDocument()
    {
    }

    /// <summary>The document of <paramref name="item"/>, complete: the item as stated, stored beside its trace.</summary>
    [SetsRequiredMembers]
    public SpanDocument(SpanItem item, TraceLocation location)
        : base(item)
    {
        Id = DocumentKeys.SpanDocumentId(item.TraceId, item.SpanId);
        Pk = location.Pk;
        ProjectId = location.ProjectId;
        SessionId = location.SessionId;
        CostSource = item.Cost is null ? null : CostSources.Provided;
    }
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
