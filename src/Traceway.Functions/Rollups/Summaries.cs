namespace Traceway.Rollups;

/// <summary>The metrics of one trace (one turn), recomputed from its stored trace and span documents.</summary>
internal sealed record TraceSummary
{
    public const string DocumentType = "traceSummary";

    public required string Id { get; init; }

    public required string Pk { get; init; }

    public string Type { get; init; } = DocumentType;

    public required string ProjectId { get; init; }

    public required string TraceId { get; init; }

    public string? SessionId { get; init; }

    public string? Name { get; init; }

    public string? UserId { get; init; }

    public required string Status { get; init; }

    public required DateTimeOffset StartedAt { get; init; }

    public DateTimeOffset? EndedAt { get; init; }

    public required DateTimeOffset LastActivityAt { get; init; }

    public long? DurationMs { get; init; }

    public int SpanCount { get; init; }

    public int ErrorCount { get; init; }

    public long InputTokens { get; init; }

    public long OutputTokens { get; init; }

    public long TotalTokens { get; init; }

    public double TotalCost { get; init; }

    public long MaxInputTokens { get; init; }

    public IReadOnlyList<string> Models { get; init; } = [];

    public IReadOnlyList<ModelUsage> ModelUsage { get; init; } = [];

    public IReadOnlyList<string> Tags { get; init; } = [];
}

/// <summary>Tokens and cost spent on one model, for the per-model breakdown of statistics.</summary>
internal sealed record ModelUsage(string Model, long Tokens, double Cost);

/// <summary>The metrics of a whole session (a multi-turn conversation), recomputed from its trace summaries.</summary>
internal sealed record SessionSummary
{
    public const string DocumentType = "sessionSummary";

    /// <summary>One session summary per partition, so its id is fixed.</summary>
    public const string DocumentId = "session";

    public string Id { get; init; } = DocumentId;

    public required string Pk { get; init; }

    public string Type { get; init; } = DocumentType;

    public required string ProjectId { get; init; }

    public required string SessionId { get; init; }

    public int TraceCount { get; init; }

    public int SpanCount { get; init; }

    public long InputTokens { get; init; }

    public long OutputTokens { get; init; }

    public long TotalTokens { get; init; }

    public double TotalCost { get; init; }

    public required DateTimeOffset StartedAt { get; init; }

    public DateTimeOffset? EndedAt { get; init; }

    public required DateTimeOffset LastActivityAt { get; init; }

    public long DurationMs { get; init; }

    public required string Status { get; init; }

    public int ErrorCount { get; init; }

    public IReadOnlyList<string> Tags { get; init; } = [];

    public IReadOnlyList<string> Models { get; init; } = [];

    public IReadOnlyList<string> UserIds { get; init; } = [];

    public long MaxInputTokens { get; init; }

    public IReadOnlyList<ModelUsage> ModelUsage { get; init; } = [];
}

/// <summary>The fields of a trace or span document that metrics need: what the rollup queries project.</summary>
internal sealed record MetricFields(
    string Type,
    string TraceId,
    string? SessionId,
    string? Name,
    string? UserId,
    string? Status,
    DateTimeOffset StartedAt,
    DateTimeOffset? EndedAt,
    long? InputTokens,
    long? OutputTokens,
    double? Cost,
    string? Model,
    IReadOnlyList<string>? Tags);
