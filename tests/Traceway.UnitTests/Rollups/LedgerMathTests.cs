using Traceway.Hosting;
using Traceway.Rollups;

namespace Traceway.Tests.Rollups;

/// <summary>
/// The change feed's ledgers combine partial aggregates of chunks of entries: that is exact only if any split of the
/// entries, combined in any order, gives the summary of all of them at once. These tests split at random.
/// </summary>
public sealed class LedgerMathTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 20, 10, 0, 0, TimeSpan.Zero);
    private static readonly string[] Models = ["gpt-4o", "claude-3-5-sonnet", "o1"];

    [Fact]
    public void Any_split_of_a_traces_spans_combined_in_any_order_gives_the_summary_of_all_its_documents()
    {
        var random = new Random(12);
        for (var round = 0; round < 200; round++)
        {
            var spans = Enumerable.Range(0, random.Next(1, 60)).Select(i => Span(random, i)).ToList();
            MetricFields? trace = random.Next(3) == 0 ? null : new("trace", "t", "s", "turn", "u", random.Next(5) == 0 ? "error" : "ok", T0, random.Next(2) == 0 ? null : T0.AddSeconds(90), null, null, null, null, ["b", "a"]);
            var whole = SessionMetrics.SummarizeTrace("p", "pk", "t", trace is null ? spans : [trace, .. spans]);

            var partials = Split(random, spans.Select(s => SpanEntry.From(s, 1))).Select(RollupMath.Aggregate).ToList();
            var combined = SessionMetrics.SummarizeTrace("p", "pk", "t", trace, RollupMath.Combine(Shuffle(random, partials)));

            Assert.True(TracewayJson.SameJson(whole, combined), $"round {round}");
        }
    }

    [Fact]
    public void Any_split_of_a_sessions_turns_combined_in_any_order_gives_the_summary_of_all_its_trace_summaries()
    {
        var random = new Random(13);
        for (var round = 0; round < 100; round++)
        {
            var traces = Enumerable.Range(0, random.Next(1, 40))
                .Select(t => SessionMetrics.SummarizeTrace("p", "pk", $"t{t}", [.. Enumerable.Range(0, random.Next(1, 6)).Select(i => Span(random, i))])!)
                .ToList();
            var whole = SessionMetrics.SummarizeSession("p", "pk", "s", traces);

            var partials = Split(random, traces.Select(t => TurnEntry.From(t, 1))).Select(RollupMath.Aggregate).ToList();
            var combined = SessionMetrics.SummarizeSession("p", "pk", "s", RollupMath.Combine(Shuffle(random, partials)));

            Assert.True(TracewayJson.SameJson(whole, combined), $"round {round}");
        }
    }

    [Fact]
    public void Costs_add_up_the_same_in_every_order_where_doubles_would_not()
    {
        double[] costs = [0.1, 0.2, 0.3, 1e-10, 123.456789, 7e-12];
        var forward = RollupMath.Combine(costs.Select(c => RollupMath.Aggregate([Entry(c)])));
        var backward = RollupMath.Combine(costs.Reverse().Select(c => RollupMath.Aggregate([Entry(c)])));

        Assert.Equal(forward.Cost, backward.Cost);
        Assert.Equal(124.056789, RollupMath.ShownCost(forward.Cost));
    }

    [Fact]
    public void A_newer_version_replaces_an_entry_and_an_older_or_equal_one_changes_nothing()
    {
        var entries = new Dictionary<string, SpanEntry>(StringComparer.Ordinal) { ["a"] = Entry(1, version: 5) };

        Assert.False(LedgerLayout.Merge(entries, [new("a", Entry(2, version: 4))]));
        Assert.False(LedgerLayout.Merge(entries, [new("a", Entry(3, version: 5))]));
        Assert.Equal(1m, entries["a"].Cost);
        Assert.True(LedgerLayout.Merge(entries, [new("a", Entry(4, version: 6)), new("b", Entry(5, version: 1))]));
        Assert.Equal((4m, 2), (entries["a"].Cost, entries.Count));
    }

    [Fact]
    public void A_reset_keeps_exactly_the_keys_read_but_never_goes_back_to_an_older_version()
    {
        var entries = new Dictionary<string, SpanEntry>(StringComparer.Ordinal) { ["a"] = Entry(1, version: 9), ["gone"] = Entry(2, version: 1) };

        Assert.True(LedgerLayout.Reset(entries, new Dictionary<string, SpanEntry> { ["a"] = Entry(3, version: 7), ["b"] = Entry(4, version: 1) }));

        Assert.Equal(["a", "b"], entries.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(1m, entries["a"].Cost);
        Assert.False(LedgerLayout.Reset(entries, new Dictionary<string, SpanEntry>(entries)));
    }

    [Fact]
    public void Ledgers_stay_in_the_head_up_to_64_entries_then_split_into_chunks_of_at_most_256_on_average()
    {
        Assert.Equal(-1, LedgerLayout.DepthFor(64));
        Assert.Equal(1, LedgerLayout.DepthFor(65));
        Assert.Equal(7, LedgerLayout.DepthFor(12_000));
        Assert.False(LedgerLayout.Outgrown(-1, 64));
        Assert.True(LedgerLayout.Outgrown(-1, 65));
        Assert.False(LedgerLayout.Outgrown(2, 1024));
        Assert.True(LedgerLayout.Outgrown(2, 1025));
        // Stable across processes (not string.GetHashCode) and spread over every chunk.
        Assert.Equal(LedgerLayout.ChunkOf("span-1", 7), LedgerLayout.ChunkOf("span-1", 7));
        Assert.Equal(128, Enumerable.Range(0, 12_000).Select(i => LedgerLayout.ChunkOf($"span-{i}", 7)).Distinct().Count());
    }

    private static MetricFields Span(Random random, int i)
    {
        var model = random.Next(4) == 0 ? null : Models[random.Next(Models.Length)];
        var start = T0.AddMilliseconds(random.Next(0, 100_000));
        return new("span", "t", random.Next(10) == 0 ? null : "s", $"s{i}", null, random.Next(8) == 0 ? "error" : "ok", start,
            random.Next(3) == 0 ? null : start.AddMilliseconds(random.Next(1, 5000)), model is null ? null : random.Next(0, 100_000), model is null ? null : random.Next(0, 5000),
            model is null ? null : Math.Round(random.NextDouble() / 7, random.Next(3, 12)), model, null);
    }

    private static SpanEntry Entry(double cost, long version = 1) => new(version, false, T0, null, 0, 0, RollupMath.CostOf(cost), null, null);

    private static List<List<T>> Split<T>(Random random, IEnumerable<T> items)
    {
        var parts = Enumerable.Range(0, random.Next(1, 8)).Select(_ => new List<T>()).ToList();
        foreach (var item in items)
        {
            parts[random.Next(parts.Count)].Add(item);
        }

        return parts;
    }

    private static List<T> Shuffle<T>(Random random, IEnumerable<T> items) => [.. items.OrderBy(_ => random.Next())];
}
