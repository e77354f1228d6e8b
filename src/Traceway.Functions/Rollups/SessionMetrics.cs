using Traceway.Documents;

namespace Traceway.Rollups;

/// <summary>
/// The rollup math, pure: a trace summary from a trace's documents, a session summary from its trace
/// summaries. Recomputed from stored data every time, never incremented, so any replay, duplicate or
/// reordering of the change feed converges to the same numbers.
/// </summary>
internal static class SessionMetrics
{
    /// <summary>The trace's summary, or null when none of its documents is stored.</summary>
    public static TraceSummary? SummarizeTrace(string projectId, string pk, string traceId, IReadOnlyCollection<MetricFields> documents)
    {
        var trace = documents.FirstOrDefault(d => d.Type == TraceDocument.DocumentType);
        var spans = documents.Where(d => d.Type == SpanDocument.DocumentType).ToList();
        if (trace is null && spans.Count == 0)
        {
            return null;
        }

        // A trace whose document has not arrived yet is known through its spans.
        var startedAt = trace?.StartedAt ?? spans.Min(s => s.StartedAt);
        var endedAt = trace?.EndedAt ?? spans.Max(s => s.EndedAt);
        var inputTokens = spans.Sum(s => s.InputTokens ?? 0);
        var outputTokens = spans.Sum(s => s.OutputTokens ?? 0);
        var errorCount = spans.Count(s => s.Status == "error");
        return new TraceSummary
        {
            Id = DocumentKeys.TraceDocumentId(traceId),
            Pk = pk,
            ProjectId = projectId,
            TraceId = traceId,
            SessionId = trace?.SessionId ?? spans.Select(s => s.SessionId).FirstOrDefault(s => s is not null),
            Name = trace?.Name,
            UserId = trace?.UserId,
            Status = errorCount > 0 || trace?.Status == "error" ? "error" : "ok",
            StartedAt = startedAt,
            EndedAt = endedAt,
            LastActivityAt = endedAt ?? startedAt,
            DurationMs = endedAt is { } end ? Milliseconds(end - startedAt) : null,
            SpanCount = spans.Count,
            ErrorCount = errorCount,
            InputTokens = inputTokens,
            OutputTokens = outputTokens,
            TotalTokens = inputTokens + outputTokens,
            TotalCost = SumCost(spans.Select(s => s.Cost ?? 0)),
            MaxInputTokens = spans.Select(s => s.InputTokens ?? 0).DefaultIfEmpty(0).Max(),
            Models = Distinct(spans.Select(s => s.Model)),
            ModelUsage = Usage(spans.Where(s => s.Model is not null).Select(s => new ModelUsage(s.Model!, (s.InputTokens ?? 0) + (s.OutputTokens ?? 0), s.Cost ?? 0))),
            Tags = Distinct(trace?.Tags ?? []),
        };
    }

    /// <summary>The session's summary from all its trace summaries, or null when it has none.</summary>
    public static SessionSummary? SummarizeSession(string projectId, string pk, string sessionId, IReadOnlyCollection<TraceSummary> traces)
    {
        if (traces.Count == 0)
        {
            return null;
        }

        var startedAt = traces.Min(t => t.StartedAt);
        var endedAt = traces.Max(t => t.EndedAt);
        var lastActivityAt = traces.Max(t => t.LastActivityAt);
        var inputTokens = traces.Sum(t => t.InputTokens);
        var outputTokens = traces.Sum(t => t.OutputTokens);
        return new SessionSummary
        {
            Pk = pk,
            ProjectId = projectId,
            SessionId = sessionId,
            TraceCount = traces.Count,
            SpanCount = traces.Sum(t => t.SpanCount),
            InputTokens = inputTokens,
            OutputTokens = outputTokens,
            TotalTokens = inputTokens + outputTokens,
            TotalCost = SumCost(traces.Select(t => t.TotalCost)),
            StartedAt = startedAt,
            EndedAt = endedAt,
            LastActivityAt = lastActivityAt,
            // First trace start to last trace end; while no trace has ended, to the latest activity.
            DurationMs = Milliseconds((endedAt ?? lastActivityAt) - startedAt),
            Status = traces.Any(t => t.Status == "error") ? "error" : "ok",
            ErrorCount = traces.Sum(t => t.ErrorCount),
            Tags = Distinct(traces.SelectMany(t => t.Tags)),
            Models = Distinct(traces.SelectMany(t => t.Models)),
            UserIds = Distinct(traces.Select(t => t.UserId)),
            MaxInputTokens = traces.Max(t => t.MaxInputTokens),
            ModelUsage = Usage(traces.SelectMany(t => t.ModelUsage)),
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

    private static ModelUsage[] Usage(IEnumerable<ModelUsage> usage) =>
        [.. usage.GroupBy(u => u.Model, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new ModelUsage(g.Key, g.Sum(u => u.Tokens), SumCost(g.Select(u => u.Cost))))];

    private static long Milliseconds(TimeSpan span) => (long)Math.Max(0, Math.Round(span.TotalMilliseconds));

    // A sum of doubles depends on its order: summing in a fixed order keeps every recomputation identical.
    private static double SumCost(IEnumerable<double> costs) => Math.Round(costs.Order().Sum(), 9);

    private static string[] Distinct(IEnumerable<string?> values) =>
        [.. values.OfType<string>().Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
}
