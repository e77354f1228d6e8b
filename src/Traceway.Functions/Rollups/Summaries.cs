using System.Text.Json.Serialization;
using Traceway.Traces;

namespace Traceway.Rollups;

/// <summary>
/// The stored metrics of one trace (one turn), recomputed from its stored trace and span documents: the
/// trace list's <see cref="TraceSummaryView"/> plus its keys, latest activity and per-model usage.
/// </summary>
internal sealed record TraceSummary : TraceSummaryView
{
    public required string Id { get; init; }

    public required string Pk { get; init; }

    public string Type { get; init; } = DocumentType;

    public required string ProjectId { get; init; }

    public required DateTimeOffset LastActivityAt { get; init; }

    public IReadOnlyList<ModelUsage> ModelUsage { get; init; } = [];
}

/// <summary>Tokens and cost spent on one model, for the per-model breakdown of statistics.</summary>
internal sealed record ModelUsage(string Model, long Tokens, double Cost);

/// <summary>
/// SessionSummary of API.md: a whole conversation's metrics as the API shows them. Answers declare this
/// type, so serializing a stored <see cref="SessionSummary"/> through it leaves out the storage fields.
/// </summary>
internal record SessionView
{
    public required string SessionId { get; init; }

    public int TraceCount { get; init; }

    public int SpanCount { get; init; }

    public long InputTokens { get; init; }

    public long OutputTokens { get; init; }

    public long TotalTokens { get; init; }

    public double TotalCost { get; init; }

    public required DateTimeOffset StartedAt { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public DateTimeOffset? EndedAt { get; init; }

    public required DateTimeOffset LastActivityAt { get; init; }

    public long DurationMs { get; init; }

    public required string Status { get; init; }

    public int ErrorCount { get; init; }

    public IReadOnlyList<string> Tags { get; init; } = [];

    public IReadOnlyList<string> Models { get; init; } = [];

    public IReadOnlyList<string> UserIds { get; init; } = [];

    public long MaxInputTokens { get; init; }
}

/// <summary>The stored metrics of a whole session, recomputed from its trace summaries: the API's view plus keys and per-model usage.</summary>
internal sealed record SessionSummary : SessionView
{
    public const string DocumentType = "sessionSummary";

    /// <summary>One session summary per partition, so its id is fixed.</summary>
    public const string DocumentId = "session";

    public string Id { get; init; } = DocumentId;

    public required string Pk { get; init; }

    public string Type { get; init; } = DocumentType;

    public required string ProjectId { get; init; }

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
