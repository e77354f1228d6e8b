using System.Net;
using Traceway.Tests.Infrastructure;

namespace Traceway.Tests.Rollups;

/// <summary>Ingest over HTTP; the in-process change feed processor keeps the session summary right.</summary>
public sealed class RollupEndToEndTests : IAsyncLifetime
{
    private readonly TracewayApp _app = new TracewayApp().WithSetting("Traceway:ChangeFeed:Enabled", "true").WithSetting("Traceway:ChangeFeed:PollIntervalMs", "100");

    public Task InitializeAsync() => _app.InitializeAsync();

    public Task DisposeAsync() => ((IAsyncLifetime)_app).DisposeAsync();

    [Fact]
    public async Task Within_five_seconds_of_ingesting_a_five_turn_session_its_summary_has_exactly_the_expected_numbers()
    {
        using var api = await IngestApi.ForNewProjectAsync(_app);
        var summaries = new SummaryReader(_app, api.Project.Id);

        var (first, _) = await api.IngestAsync(Journey.Request(1, 2));
        var (rest, _) = await api.IngestAsync(Journey.Request(3, 4, 5));
        var summary = await summaries.WaitForSessionAsync(Journey.SessionId, s => (int)s["traceCount"]! == 5 && (int)s["spanCount"]! == 8, TimeSpan.FromSeconds(5));

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (first, rest));
        Journey.AssertSummary(summary);
        SummaryOracle.AssertSession([.. Enumerable.Range(1, 5).Select(Journey.Trace)], summary);
        foreach (var turn in Enumerable.Range(1, 5))
        {
            SummaryOracle.AssertTrace(Journey.Trace(turn), await summaries.TraceAsync(Journey.SessionId, $"turn-{turn}"));
        }

        var turn2 = await summaries.TraceAsync(Journey.SessionId, "turn-2");
        Assert.Equal(("chat-turn", "error", 2, 1, 200L, 20L, 0.02, 3000L), ((string?)turn2!["name"], (string?)turn2["status"], (int)turn2["spanCount"]!, (int)turn2["errorCount"]!, (long)turn2["inputTokens"]!, (long)turn2["outputTokens"]!, (double)turn2["totalCost"]!, (long)turn2["durationMs"]!));
    }

    [Fact]
    public async Task A_later_update_to_a_span_is_reflected_in_the_session_summary()
    {
        using var api = await IngestApi.ForNewProjectAsync(_app);
        var summaries = new SummaryReader(_app, api.Project.Id);
        await api.IngestAsync(new { traces = new[] { Items.Turn("t", "s-upd", [Items.Llm("a", inputTokens: 10)]) } });
        await summaries.WaitForSessionAsync("s-upd", s => (long)s["inputTokens"]! == 10, TimeSpan.FromSeconds(5));

        await api.IngestAsync(new { spans = new[] { new { id = "a", traceId = "t", name = "gpt-4o", startedAt = "2026-11-20T10:00:00.1Z", inputTokens = 70, status = "error" } } });
        var summary = await summaries.WaitForSessionAsync("s-upd", s => (long)s["inputTokens"]! == 70, TimeSpan.FromSeconds(5));

        Assert.Equal((70L, "error", 1), ((long)summary!["inputTokens"]!, (string?)summary["status"], (int)summary["errorCount"]!));
    }
}
