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
