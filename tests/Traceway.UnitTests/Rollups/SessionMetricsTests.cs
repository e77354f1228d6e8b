using Traceway.Rollups;

namespace Traceway.Tests.Rollups;

public sealed class SessionMetricsTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 20, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_trace_known_only_through_its_spans_is_timed_and_counted_by_them()
    {
        MetricFields[] spans =
        [
            new("span", "t", "s", "a", null, "ok", T0.AddSeconds(2), T0.AddSeconds(5), 10, 1, 0.1, "gpt-4o", null),
            new("span", "t", "s", "b", null, "error", T0.AddSeconds(1), null, 30, 2, null, "claude-3-5-sonnet", null),
        ];

        var summary = SessionMetrics.SummarizeTrace("p", "pk", "t", spans)!;

        Assert.Equal((T0.AddSeconds(1), T0.AddSeconds(5), 4000L), (summary.StartedAt, summary.EndedAt!.Value, summary.DurationMs!.Value));
        Assert.Equal(("error", 2, 1, 40L, 3L, 43L, 30L), (summary.Status, summary.SpanCount, summary.ErrorCount, summary.InputTokens, summary.OutputTokens, summary.TotalTokens, summary.MaxInputTokens));
        Assert.Equal(["claude-3-5-sonnet", "gpt-4o"], summary.Models);
        Assert.Equal("s", summary.SessionId);
    }

    [Fact]
    public void A_session_runs_from_its_first_start_to_its_last_end_and_to_its_latest_activity_while_nothing_ended()
    {
        var ended = SessionMetrics.SummarizeTrace("p", "pk", "a", [new("trace", "a", "s", null, "u1", null, T0, T0.AddMinutes(1), null, null, null, null, ["x"])])!;
        var open = SessionMetrics.SummarizeTrace("p", "pk", "b", [new("trace", "b", "s", null, "u2", null, T0.AddMinutes(5), null, null, null, null, null, ["y", "x"])])!;

        var both = SessionMetrics.SummarizeSession("p", "pk", "s", [ended, open])!;
        var onlyOpen = SessionMetrics.SummarizeSession("p", "pk", "s", [open])!;

        Assert.Equal((T0, T0.AddMinutes(5), 60_000L, 2), (both.StartedAt, both.LastActivityAt, both.DurationMs, both.TraceCount));
        Assert.Equal(["x", "y"], both.Tags);
        Assert.Equal(["u1", "u2"], both.UserIds);
        Assert.Equal(0, onlyOpen.DurationMs);
        Assert.Null(SessionMetrics.SummarizeSession("p", "pk", "s", []));
        Assert.Null(SessionMetrics.SummarizeTrace("p", "pk", "t", []));
    }

    [Fact]
    public void Cost_sums_do_not_depend_on_the_order_documents_arrive_in()
    {
        var costs = Enumerable.Range(1, 40).Select(i => 0.1 * i / 3).ToList();
        MetricFields Span(double cost, int i) => new("span", "t", "s", $"{i}", null, null, T0, null, null, null, cost, null, null);

        var forward = SessionMetrics.SummarizeTrace("p", "pk", "t", [.. costs.Select(Span)])!;
        var backward = SessionMetrics.SummarizeTrace("p", "pk", "t", [.. costs.AsEnumerable().Reverse().Select(Span)])!;

        Assert.Equal(forward.TotalCost, backward.TotalCost);
    }
}
