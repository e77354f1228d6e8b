using System.Text.Json;
using Traceway.Hosting;
using Traceway.Rollups;
using Traceway.Storage;
using Traceway.Traces;

namespace Traceway.Tests.Rollups;

public sealed class SessionSummaryTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 20, 10, 0, 0, TimeSpan.Zero);

    private static readonly MetricFields[] Documents =
    [
        new("trace", "t1", "s", "turn 1", "u1", null, T0, T0.AddSeconds(30), null, null, null, null, ["prod"]),
        new("span", "t1", "s", "plan", null, "ok", T0.AddSeconds(1), T0.AddSeconds(10), 1200, 300, 0.0125, "gpt-4o", null),
        new("span", "t1", "s", "tool", null, "error", T0.AddSeconds(11), T0.AddSeconds(12), null, null, null, null, null),
        new("trace", "t2", "s", "turn 2", "u2", null, T0.AddMinutes(2), null, null, null, null, null, ["eu", "prod"]),
        new("span", "t2", "s", "answer", null, "ok", T0.AddMinutes(2).AddSeconds(1), null, 4000, 50, 0.03, "claude-3-5-sonnet", null),
        new("span", "t2", "s", "check", null, "ok", T0.AddMinutes(2).AddSeconds(2), null, 700, 20, 0.001, "gpt-4o", null),
    ];

    [Fact]
    public void A_session_read_before_its_rollup_has_the_sums_counts_and_times_of_its_own_documents()
    {
        var spans = Documents.Where(d => d.Type == "span").ToList();

        var summary = SessionMetrics.SummarizeSessionFromDocuments("p", "pk", "s", Documents)!;

        Assert.Equal((2, spans.Count, 1, "error"), (summary.TraceCount, summary.SpanCount, summary.ErrorCount, summary.Status));
        Assert.Equal(spans.Sum(s => s.InputTokens ?? 0), summary.InputTokens);
        Assert.Equal(spans.Sum(s => s.OutputTokens ?? 0), summary.OutputTokens);
        Assert.Equal(spans.Sum(s => (s.InputTokens ?? 0) + (s.OutputTokens ?? 0)), summary.TotalTokens);
        Assert.Equal(spans.Max(s => s.InputTokens ?? 0), summary.MaxInputTokens);
        Assert.Equal(spans.Sum(s => s.Cost ?? 0), summary.TotalCost, 9);
        // Nothing of the second turn has ended: the session ends with the first and was last active when the second started.
        Assert.Equal((T0, T0.AddSeconds(30), T0.AddMinutes(2), 30_000L), (summary.StartedAt, summary.EndedAt!.Value, summary.LastActivityAt, summary.DurationMs));
        Assert.Equal(["eu", "prod"], summary.Tags);
        Assert.Equal(["claude-3-5-sonnet", "gpt-4o"], summary.Models);
        Assert.Equal(["u1", "u2"], summary.UserIds);
        Assert.Equal(
            [new ModelUsage("claude-3-5-sonnet", 4050, 0.03), new ModelUsage("gpt-4o", 1200 + 300 + 700 + 20, 0.0135)],
            summary.ModelUsage);
    }

    [Fact]
    public void A_session_read_before_its_rollup_serializes_exactly_as_the_rollup_would_store_it()
    {
        var rolledUp = SessionMetrics.SummarizeSession("p", "pk", "s",
            [.. Documents.GroupBy(d => d.TraceId).Select(t => SessionMetrics.SummarizeTrace("p", "pk", t.Key, [.. t])!)]);

        var onTheSpot = SessionMetrics.SummarizeSessionFromDocuments("p", "pk", "s", Documents.Reverse());

        Assert.Equal(JsonSerializer.Serialize(rolledUp, TracewayJson.Options), JsonSerializer.Serialize(onTheSpot, TracewayJson.Options));
    }

    [Fact]
    public void The_API_shows_a_stored_session_summary_with_exactly_the_fields_of_SessionSummary_in_API_md()
    {
        var stored = SessionMetrics.SummarizeSessionFromDocuments("p", "pk", "s", Documents.Where(d => d.TraceId == "t2"))!;

        var shown = JsonSerializer.SerializeToElement(new Page<SessionView>([stored], null), TracewayJson.Options).GetProperty("items")[0];

        Assert.Equal(
            ["sessionId", "traceCount", "spanCount", "inputTokens", "outputTokens", "totalTokens", "totalCost", "startedAt", "endedAt", "lastActivityAt",
             "durationMs", "status", "errorCount", "tags", "models", "userIds", "maxInputTokens"],
            shown.EnumerateObject().Select(p => p.Name));
        Assert.Equal(JsonValueKind.Null, shown.GetProperty("endedAt").ValueKind);
    }

    [Fact]
    public void The_trace_list_shows_a_stored_trace_summary_without_its_storage_fields()
    {
        var stored = SessionMetrics.SummarizeTrace("p", "pk", "t1", [.. Documents.Where(d => d.TraceId == "t1")])!;

        var shown = JsonSerializer.SerializeToElement(new Page<TraceSummaryView>([stored], null), TracewayJson.Options).GetProperty("items")[0];

        Assert.Equal(
            ["traceId", "sessionId", "name", "userId", "status", "startedAt", "endedAt", "durationMs", "spanCount", "errorCount", "inputTokens",
             "outputTokens", "totalTokens", "totalCost", "maxInputTokens", "models", "tags"],
            shown.EnumerateObject().Select(p => p.Name));
    }
}
