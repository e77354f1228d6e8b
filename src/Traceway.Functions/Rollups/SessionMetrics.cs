using Traceway.Documents;

namespace Traceway.Rollups;

/// <summary>
/// The rollup math, pure: a trace summary from a trace's documents, a session summary from its trace
/// summaries. Both go through the exact partial aggregates of <see cref="RollupMath"/>, so a summary computed
/// from all stored documents (rebuild, on-the-spot read) and one combined from the change feed's ledger chunks
/// are the same, to the last digit.
/// </summary>
internal static class SessionMetrics
{
    /// <summary>The trace's summary, or null when none of its documents is stored.</summary>
    public static TraceSummary? SummarizeTrace(string projectId, string pk, string traceId, IReadOnlyCollection<MetricFields> documents) =>
        SummarizeTrace(projectId, pk, traceId, documents.FirstOrDefault(d => d.Type == TraceDocument.DocumentType),
            RollupMath.Aggregate(documents.Where(d => d.Type == SpanDocument.DocumentType).Select(s => SpanEntry.From(s, 0))));

    /// <summary>The trace's summary from its trace document (if stored) and the aggregate of its spans; what the change feed's ledger keeps.</summary>
    public static TraceSummary? SummarizeTrace(string projectId, string pk, string traceId, MetricFields? trace, TracePartial spans)
    {
        if (trace is null && spans.Spans == 0)
        {
            return null;
        }

        // A trace whose document has not arrived yet is known through its spans.
        var startedAt = trace?.StartedAt ?? spans.FirstStart!.Value;
        var endedAt = trace?.EndedAt ?? spans.LastEnd;
        return new TraceSummary
        {
            Id = DocumentKeys.TraceDocumentId(traceId),
            Pk = pk,
            ProjectId = projectId,
            TraceId = traceId,
            SessionId = trace?.SessionId ?? spans.SessionId,
            Name = trace?.Name,
            UserId = trace?.UserId,
            Status = spans.Errors > 0 || trace?.Status == "error" ? "error" : "ok",
            StartedAt = startedAt,
            EndedAt = endedAt,
            LastActivityAt = endedAt ?? startedAt,
            DurationMs = endedAt is { } end ? Milliseconds(end - startedAt) : null,
            SpanCount = spans.Spans,
            ErrorCount = spans.Errors,
            InputTokens = spans.In,
            OutputTokens = spans.Out,
            TotalTokens = spans.In + spans.Out,
            TotalCost = RollupMath.ShownCost(spans.Cost),
            MaxInputTokens = spans.MaxIn,
            Models = [.. spans.Usage.Select(u => u.Model)],
            ModelUsage = Usage(spans.Usage),
            Tags = Distinct(trace?.Tags ?? []),
        };
    }

    /// <summary>The session's summary from all its trace summaries, or null when it has none.</summary>
    public static SessionSummary? SummarizeSession(string projectId, string pk, string sessionId, IReadOnlyCollection<TraceSummary> traces) =>
        SummarizeSession(projectId, pk, sessionId, RollupMath.Aggregate(traces.Select(t => TurnEntry.From(t, 0))));

    /// <summary>The session's summary from the aggregate of its turns; what the change feed's ledger keeps.</summary>
    public static SessionSummary? SummarizeSession(string projectId, string pk, string sessionId, SessionPartial turns)
    {
        if (turns.Traces == 0)
        {
            return null;
        }

        var startedAt = turns.FirstStart!.Value;
        var lastActivityAt = turns.LastActivity!.Value;
        return new SessionSummary
        {
            Pk = pk,
            ProjectId = projectId,
            SessionId = sessionId,
            TraceCount = turns.Traces,
            SpanCount = turns.Spans,
            InputTokens = turns.In,
            OutputTokens = turns.Out,
            TotalTokens = turns.In + turns.Out,
            TotalCost = RollupMath.ShownCost(turns.Cost),
            StartedAt = startedAt,
            EndedAt = turns.LastEnd,
            LastActivityAt = lastActivityAt,
            // First trace start to last trace end; while no trace has ended, to the latest activity.
            DurationMs = Milliseconds((turns.LastEnd ?? lastActivityAt) - startedAt),
            Status = turns.Failed ? "error" : "ok",
            ErrorCount = turns.Errors,
            Tags = turns.Tags,
            Models = turns.Models,
            UserIds = turns.UserIds,
            MaxInputTokens = turns.MaxIn,
            ModelUsage = Usage(turns.Usage),
        };
    }

    /// <summary>
    /// The session's summary straight from its trace and span documents, for a read that cannot wait for the
    /// rollup: the same two steps the rollup takes (each trace, then the session), so the numbers are the same.
    /// </summary>
    public static SessionSummary? SummarizeSessionFromDocuments(string projectId, string pk, string sessionId, IEnumerable<MetricFields> documents) =>
        SummarizeSession(projectId, pk, sessionId, [.. documents.GroupBy(d => d.TraceId, StringComparer.Ordinal)
            .Select(trace => SummarizeTrace(projectId, pk, trace.Key, [.. trace]))
            .OfType<TraceSummary>()]);

    private static ModelUsage[] Usage(IReadOnlyList<UsagePart> usage) => [.. usage.Select(u => new ModelUsage(u.Model, u.Tokens, RollupMath.ShownCost(u.Cost)))];

    private static long Milliseconds(TimeSpan span) => (long)Math.Max(0, Math.Round(span.TotalMilliseconds));

    private static string[] Distinct(IEnumerable<string?> values) =>
        [.. values.OfType<string>().Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
}
