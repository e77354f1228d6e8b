using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.DependencyInjection;
using Traceway.Documents;
using Traceway.Rollups;
using Traceway.Storage;
using Traceway.Tests.Infrastructure;

namespace Traceway.Tests.Ingestion;

/// <summary>
/// Spans often arrive before their trace, and the session id may come on any item: a trace first stored without a
/// session adopts the session when it becomes known, whatever the order, concurrency or crash on the way.
/// </summary>
public sealed class SessionAdoptionTests : IAsyncLifetime
{
    private readonly FaultInjectingHandler _faults = new();
    private readonly TracewayApp _app;

    public SessionAdoptionTests() => _app = new TracewayApp().WithServices(s => s.AddSingleton<RequestHandler>(_faults));

    public Task InitializeAsync() => _app.InitializeAsync();

    public Task DisposeAsync() => ((IAsyncLifetime)_app).DisposeAsync();

    [Fact]
    public async Task A_span_then_its_trace_with_a_session_puts_the_whole_trace_in_the_session()
    {
        using var api = await IngestApi.ForNewProjectAsync(_app);

        Assert.Equal(HttpStatusCode.OK, (await api.IngestAsync(new { spans = new[] { Items.Llm("early", "late-trace") } })).Status);
        var (status, body) = await api.IngestAsync(new { traces = new[] { Items.Turn("late-trace", "late-s", [Items.Tool("nested")]) } });

        Assert.True(status == HttpStatusCode.OK, body.ToString());
        await AssertInSessionAsync(api, "late-trace", "late-s", "early", "nested");
        Assert.Equal("chat-turn", (string?)(await api.GetTraceAsync("late-trace"))!["name"]);
    }

    [Fact]
    public async Task A_span_then_the_trace_then_another_span_without_a_session_all_end_in_the_session()
    {
        using var api = await IngestApi.ForNewProjectAsync(_app);

        await api.IngestAsync(new { spans = new[] { Items.Llm("first", "t") } });
        await api.IngestAsync(new { traces = new[] { Items.Turn("t", "s") } });
        var (status, _) = await api.IngestAsync(new { spans = new[] { Items.Tool("last", "t") } });

        Assert.Equal(HttpStatusCode.OK, status);
        await AssertInSessionAsync(api, "t", "s", "first", "last");
    }

    [Fact]
    public async Task Two_exports_of_spans_with_the_session_only_on_the_second_end_in_the_session_and_resending_changes_nothing()
    {
        using var api = await IngestApi.ForNewProjectAsync(_app);
        object[] first = [Items.Llm("a", "otel-trace"), Items.Tool("b", "otel-trace")];
        object[] second = [Items.Llm("c", "otel-trace", sessionId: "conv-1"), Items.Tool("d", "otel-trace")];

        await api.IngestAsync(new { spans = first });
        Assert.Equal(HttpStatusCode.OK, (await api.IngestAsync(new { spans = second })).Status);
        await AssertInSessionAsync(api, "otel-trace", "conv-1", "a", "b", "c", "d");
        var before = (await api.GetTraceAsync("otel-trace"))!.ToJsonString();

        Assert.Equal(HttpStatusCode.OK, (await api.IngestAsync(new { spans = first })).Status);
        Assert.Equal(HttpStatusCode.OK, (await api.IngestAsync(new { spans = second })).Status);
        await AssertInSessionAsync(api, "otel-trace", "conv-1", "a", "b", "c", "d");
        Assert.Equal(before, (await api.GetTraceAsync("otel-trace"))!.ToJsonString());

        Assert.Equal(HttpStatusCode.OK, (await api.IngestAsync(new { traces = new[] { Items.Turn("otel-trace", null) } })).Status);
        Assert.Equal(("chat-turn", "conv-1"), ((string?)(await api.GetTraceAsync("otel-trace"))!["name"], (string?)(await api.GetTraceAsync("otel-trace"))!["sessionId"]));
    }

    [Fact]
    public async Task Spans_without_a_session_sent_concurrently_with_the_trace_that_names_it_all_end_in_the_session()
    {
        using var api = await IngestApi.ForNewProjectAsync(_app);
        for (var round = 0; round < 4; round++)
        {
            var traceId = $"race-{round}";
            var spans = Enumerable.Range(0, 12).Select(i => api.IngestAsync(new { spans = new[] { Items.Llm($"s{i}", traceId) } }));
            var trace = api.IngestAsync(new { traces = new[] { Items.Turn(traceId, "race-s") } });

            var answers = await Task.WhenAll(spans.Append(trace));

            Assert.All(answers, a => Assert.True(a.Status == HttpStatusCode.OK, a.Body.ToString()));
            await AssertInSessionAsync(api, traceId, "race-s", [.. Enumerable.Range(0, 12).Select(i => $"s{i}")]);
        }
    }

    [Fact]
    public async Task A_trace_whose_stored_session_is_another_still_gets_a_409_also_after_an_adoption()
    {
        using var api = await IngestApi.ForNewProjectAsync(_app);
        await api.IngestAsync(new { spans = new[] { Items.Llm("x", "adopted") } });
        await api.IngestAsync(new { spans = new[] { Items.Tool("y", "adopted", sessionId: "s1") } });

        var (trace, _) = await api.IngestAsync(new { traces = new[] { Items.Turn("adopted", "s2") } });
        var (span, body) = await api.IngestAsync(new { spans = new[] { Items.Tool("z", "adopted", sessionId: "s2") } });

        Assert.Equal((HttpStatusCode.Conflict, HttpStatusCode.Conflict), (trace, span));
        Assert.Contains("'s1'", body.GetProperty("detail").GetString(), StringComparison.Ordinal);
        await AssertInSessionAsync(api, "adopted", "s1", "x", "y");
    }

    [Fact]
    public async Task The_old_trace_summary_goes_and_the_session_summary_counts_the_adopted_trace()
    {
        using var api = await IngestApi.ForNewProjectAsync(_app);
        var rollups = _app.Services.GetRequiredService<RollupHandler>();
        var ownPk = DocumentKeys.PartitionKey(api.Project.Id, null, "summed");
        await api.IngestAsync(new { spans = new[] { Items.Llm("a", "summed", inputTokens: 100) } });
        await rollups.RollUpAsync([new AffectedTrace(api.Project.Id, ownPk, "summed", null)], default);
        Assert.NotNull(await ReadSummaryAsync(ownPk, DocumentKeys.TraceDocumentId("summed")));

        await api.IngestAsync(new { traces = new[] { Items.Turn("summed", "sum-s", [Items.Llm("b", inputTokens: 5)]) } });
        var sessionPk = DocumentKeys.SessionPartitionKey(api.Project.Id, "sum-s");
        await rollups.RollUpAsync([new AffectedTrace(api.Project.Id, sessionPk, "summed", "sum-s")], default);

        Assert.Null(await ReadSummaryAsync(ownPk, DocumentKeys.TraceDocumentId("summed")));
        var session = (await ReadSummaryAsync(sessionPk, "session"))!;
        Assert.Equal((1, 2, 105L), ((int)session["traceCount"]!, (int)session["spanCount"]!, (long)session["inputTokens"]!));
    }

    [Fact]
    public async Task An_adoption_that_crashes_half_way_is_read_once_meanwhile_and_converges_when_a_fresh_instance_gets_the_resend()
    {
        using var api = await IngestApi.ForNewProjectAsync(_app);
        await api.IngestAsync(new { spans = new[] { Items.Llm("a", "crashy"), Items.Tool("b", "crashy") } });
        // The process "dies" after the documents were copied into the session, before the old ones were deleted.
        _faults.Fault = (method, _) => method == HttpMethod.Delete ? HttpStatusCode.ServiceUnavailable : null;
        object trace = new { traces = new[] { Items.Turn("crashy", "crash-s", [Items.Llm("c")]) } };

        var (status, _) = await api.IngestAsync(trace);
        _faults.Fault = (_, _) => null;

        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.True(await CountAsync(DocumentKeys.PartitionKey(api.Project.Id, null, "crashy")) > 0);
        var halfway = (await api.GetTraceAsync("crashy"))!;
        Assert.Equal(["a", "b"], halfway["spans"]!.AsArray().Select(s => (string)s!["id"]!).Order(StringComparer.Ordinal));
        Assert.Equal("crash-s", (string?)halfway["sessionId"]);

        await using var restarted = new TracewayApp().WithSetting("Traceway:Cosmos:DatabaseName", _app.DatabaseName);
        await restarted.InitializeAsync();
        using var again = new IngestApi(restarted, api.Project);
        Assert.Equal(HttpStatusCode.OK, (await again.IngestAsync(trace)).Status);
        await AssertInSessionAsync(again, "crashy", "crash-s", "a", "b", "c");
    }

    private async Task AssertInSessionAsync(IngestApi api, string traceId, string sessionId, params string[] spanIds)
    {
        var trace = (await api.GetTraceAsync(traceId))!;
        Assert.Equal(sessionId, (string?)trace["sessionId"]);
        Assert.Equal(spanIds.Order(StringComparer.Ordinal), trace["spans"]!.AsArray().Select(s => (string)s!["id"]!).Order(StringComparer.Ordinal));

        var hasTraceDocument = trace["name"] is not null;
        if (hasTraceDocument)
        {
            // Session detail lists the traces that have a trace document (README).
            using var read = _app.CreateClient(api.Project.ReadKey);
            var session = JsonNode.Parse(await read.GetStringAsync(new Uri($"/api/sessions/{Uri.EscapeDataString(sessionId)}", UriKind.Relative)))!;
            var inSession = Assert.Single(session["traces"]!.AsArray(), t => (string?)t!["id"] == traceId)!;
            Assert.Equal(spanIds.Length, inSession["spans"]!.AsArray().Count);
        }

        Assert.Equal(spanIds.Length + (hasTraceDocument ? 1 : 0), await CountAsync(DocumentKeys.SessionPartitionKey(api.Project.Id, sessionId), traceId));
        Assert.Equal(0, await CountAsync(DocumentKeys.PartitionKey(api.Project.Id, null, traceId)));
        var index = _app.Services.GetRequiredService<TracewayStores>().TraceIndex;
        var id = DocumentKeys.TraceIndexId(api.Project.Id, traceId);
        var (location, _) = await index.ReadItemOrDefaultAsync<JsonObject>(id, new PartitionKey(id), default);
        Assert.False(location!.ContainsKey("movedFrom"));
    }

    private async Task<int> CountAsync(string pk, string? traceId = null)
    {
        var stores = _app.Services.GetRequiredService<TracewayStores>();
        var query = new QueryDefinition("SELECT c.id, c.traceId FROM c");
        var (items, _, _) = await stores.Traces.ReadPageAsync<JsonElement>(query, null, 1000, pk, default);
        return items.Count(i => traceId is null || i.GetProperty("traceId").GetString() == traceId);
    }

    private async Task<JsonObject?> ReadSummaryAsync(string pk, string id)
    {
        var stores = _app.Services.GetRequiredService<TracewayStores>();
        var (summary, _) = await stores.Summaries.ReadItemOrDefaultAsync<JsonObject>(id, new PartitionKey(pk), default);
        return summary;
    }
}
