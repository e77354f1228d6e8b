using System.Text.Json;

namespace Traceway.Traces;

/// <summary>A trace as the query API returns it: its fields, defaults filled in, payloads complete, spans in start order.</summary>
internal sealed record TraceView(
    string Id,
    string? Name,
    string? SessionId,
    string? UserId,
    DateTimeOffset StartedAt,
    DateTimeOffset? EndedAt,
    JsonElement? Input,
    JsonElement? Output,
    string Status,
    IReadOnlyList<string> Tags,
    JsonElement? Metadata,
    IReadOnlyList<SpanView> Spans);

internal sealed record SpanView(
    string Id,
    string TraceId,
    string? ParentId,
    string Name,
    string Kind,
    string? Model,
    string? Provider,
    JsonElement? Input,
    JsonElement? Output,
    long? InputTokens,
    long? OutputTokens,
    double? Cost,
    string? CostSource,
    string Status,
    string? Error,
    DateTimeOffset StartedAt,
    DateTimeOffset? EndedAt,
    JsonElement? Attributes);

/// <summary>
/// A trace summary as <c>GET /api/traces</c> lists it: the fields of the <c>traceSummary</c> documents the
/// rollups write (their stored type extends this one), read back without the storage fields.
/// </summary>
internal record TraceSummaryView
{
    public const string DocumentType = "traceSummary";

    public required string TraceId { get; init; }

    public string? SessionId { get; init; }

    public string? Name { get; init; }

    public string? UserId { get; init; }

    public required string Status { get; init; }

    public required DateTimeOffset StartedAt { get; init; }

    public DateTimeOffset? EndedAt { get; init; }

    public long? DurationMs { get; init; }

    public int SpanCount { get; init; }

    public int ErrorCount { get; init; }

    public long InputTokens { get; init; }

    public long OutputTokens { get; init; }

    public long TotalTokens { get; init; }

    public double TotalCost { get; init; }

    public long MaxInputTokens { get; init; }

    public IReadOnlyList<string> Models { get; init; } = [];

    public IReadOnlyList<string> Tags { get; init; } = [];
}
