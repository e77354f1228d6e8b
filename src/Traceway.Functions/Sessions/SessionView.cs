using System.Text.Json.Serialization;
using Traceway.Rollups;

namespace Traceway.Sessions;

/// <summary>SessionSummary of API.md: a whole conversation's metrics.</summary>
internal sealed record SessionView(
    string SessionId,
    int TraceCount,
    int SpanCount,
    long InputTokens,
    long OutputTokens,
    long TotalTokens,
    double TotalCost,
    DateTimeOffset StartedAt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] DateTimeOffset? EndedAt,
    DateTimeOffset LastActivityAt,
    long DurationMs,
    string Status,
    int ErrorCount,
    IReadOnlyList<string> Tags,
    IReadOnlyList<string> Models,
    IReadOnlyList<string> UserIds,
    long MaxInputTokens)
{
    public static SessionView From(SessionSummary s) => new(
        s.SessionId, s.TraceCount, s.SpanCount, s.InputTokens, s.OutputTokens, s.TotalTokens, s.TotalCost, s.StartedAt, s.EndedAt,
        s.LastActivityAt, s.DurationMs, s.Status, s.ErrorCount, s.Tags, s.Models, s.UserIds, s.MaxInputTokens);
}
