using Traceway.Documents;

namespace Traceway.Ingestion;

/// <summary>
/// A validated trace as the request states it. Its partition comes from the trace index (a stored trace keeps its
/// session), so the document is built, complete, once the trace is located.
/// </summary>
internal sealed record TraceItem
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

    public TraceDocument ToDocument(TraceLocation location) => new()
    {
        Id = DocumentKeys.TraceDocumentId(TraceId),
        Pk = location.Pk,
        ProjectId = location.ProjectId,
        TraceId = TraceId,
        SessionId = location.SessionId,
        Name = Name,
        UserId = UserId,
        StartedAt = StartedAt,
        EndedAt = EndedAt,
        Input = Input,
        Output = Output,
        Status = Status,
        Tags = Tags,
        Metadata = Metadata,
    };
}

/// <summary>A validated span as the request states it; its document is built once its trace is located.</summary>
internal sealed record SpanItem
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

    public SpanDocument ToDocument(TraceLocation location) => new()
    {
        Id = DocumentKeys.SpanDocumentId(TraceId, SpanId),
        Pk = location.Pk,
        ProjectId = location.ProjectId,
        TraceId = TraceId,
        SessionId = location.SessionId,
        SpanId = SpanId,
        ParentId = ParentId,
        Name = Name,
        Kind = Kind,
        Model = Model,
        Provider = Provider,
        Input = Input,
        Output = Output,
        InputTokens = InputTokens,
        OutputTokens = OutputTokens,
        Cost = Cost,
        CostSource = Cost is null ? null : CostSources.Provided,
        Status = Status,
        Error = Error,
        StartedAt = StartedAt,
        EndedAt = EndedAt,
        Attributes = Attributes,
    };
}

internal static class CostSources
{
    public const string Provided = "provided";
    public const string Estimated = "estimated";
}
