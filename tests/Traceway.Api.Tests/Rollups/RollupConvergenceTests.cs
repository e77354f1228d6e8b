using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.DependencyInjection;
using Traceway.Rollups;
using Traceway.Storage;
using Traceway.Tests.Infrastructure;
using Traceway.Documents;

namespace Traceway.Tests.Rollups;

/// <summary>
/// The change feed delivers at least once, may reorder across partitions and skip versions: every way a
/// batch can arrive converges to the summaries of one in-order delivery. The processor is off here; the
/// test plays the change feed by calling the rollup handler with the stored documents.
/// </summary>
public sealed class RollupConvergenceTests : RollupHandlerTests
{
    [Fact]
    public async Task Duplicate_reversed_and_concurrent_deliveries_all_give_the_summaries_computed_from_the_sent_data()
    {
        await Api.IngestAsync(Journey.Request(1, 2, 3, 4, 5));
        var changes = await StoredDocumentsAsync(Journey.SessionId);
        await Handler.HandleAsync(changes, default);
        await AssertJourneySummariesAsync("in order");
        var inOrder = await Summaries.AllAsync(Journey.SessionId);

        await Summaries.DeleteAllAsync(Journey.SessionId);
        await Handler.HandleAsync(changes, default);
        await Handler.HandleAsync(changes, default);
        await AssertJourneySummariesAsync("twice");
        var twice = await Summaries.AllAsync(Journey.SessionId);

        await Summaries.DeleteAllAsync(Journey.SessionId);
        foreach (var batch in changes.Chunk(3).Reverse())
        {
            await Handler.HandleAsync(batch.Reverse(), default);
        }

        await AssertJourneySummariesAsync("reversed");
        var reversed = await Summaries.AllAsync(Journey.SessionId);

        // Two processors racing on one session, each with a different turn: no update may be lost.
        await Summaries.DeleteAllAsync(Journey.SessionId);
        await Task.WhenAll(changes.GroupBy(c => c.GetProperty("traceId").GetString()).Select(turn => Task.Run(() => Handler.HandleAsync(turn, default))));
        await AssertJourneySummariesAsync("raced");

        // Beyond the oracle's fields (e.g. per-model usage), every delivery wrote the very same documents.
        Assert.Equal(inOrder, twice);
        Assert.Equal(inOrder, reversed);
        Assert.Equal(inOrder, await Summaries.AllAsync(Journey.SessionId));
    }

    [Fact]
    public async Task A_batch_of_spans_whose_trace_document_arrives_later_converges_too()
    {
        var spansOnly = new JsonObject
        {
            ["spans"] = new JsonArray([.. Enumerable.Range(1, 5).SelectMany(turn => Journey.Trace(turn)["spans"]!.AsArray().Select(span =>
            {
                var copy = span!.DeepClone();
                copy["traceId"] = $"turn-{turn}";
                copy["sessionId"] = Journey.SessionId;
                return copy;
            }))]),
        };
        Assert.Equal(HttpStatusCode.OK, (await Api.IngestAsync(spansOnly)).Status);
        await Handler.HandleAsync(await StoredDocumentsAsync(Journey.SessionId), default);
        var fromSpans = await Summaries.SessionAsync(Journey.SessionId);

        await Api.IngestAsync(Journey.Request(1, 2, 3, 4, 5));
        var traceDocuments = (await StoredDocumentsAsync(Journey.SessionId)).Where(d => d.GetProperty("type").GetString() == "trace").ToList();
        await Handler.HandleAsync(traceDocuments, default);

        // Turn 1 known only by its LLM span (10:00:00.100 to .600): 100 input tokens, 10 output tokens.
        Assert.Equal((5, 8, 1500L, 150L), ((int)fromSpans!["traceCount"]!, (int)fromSpans["spanCount"]!, (long)fromSpans["inputTokens"]!, (long)fromSpans["outputTokens"]!));
        Assert.Empty(fromSpans["userIds"]!.AsArray());
        Assert.Equal(new DateTimeOffset(2026, 11, 20, 10, 0, 0, 100, TimeSpan.Zero), (DateTimeOffset)fromSpans["startedAt"]!);
        await AssertJourneySummariesAsync("trace documents after their spans");
    }

    [Fact]
    public async Task A_trace_that_says_error_makes_its_summary_and_its_session_error_though_none_of_its_spans_failed()
    {
        var failed = new JsonObject
        {
            ["id"] = "failed-turn", ["sessionId"] = "s-trace-error", ["name"] = "chat-turn", ["status"] = "error", ["startedAt"] = "2026-11-20T10:00:00Z", ["endedAt"] = "2026-11-20T10:00:04Z",
            ["spans"] = new JsonArray(new JsonObject { ["id"] = "llm", ["name"] = "chat", ["kind"] = "llm", ["status"] = "ok", ["model"] = "gpt-4o", ["inputTokens"] = 10, ["outputTokens"] = 2, ["cost"] = 0.001, ["startedAt"] = "2026-11-20T10:00:01Z" }),
        };
        var fine = new JsonObject
        {
            ["id"] = "fine-turn", ["sessionId"] = "s-trace-error", ["name"] = "chat-turn", ["status"] = "ok", ["startedAt"] = "2026-11-20T10:01:00Z", ["endedAt"] = "2026-11-20T10:01:04Z",
            ["spans"] = new JsonArray(new JsonObject { ["id"] = "llm", ["name"] = "chat", ["kind"] = "llm", ["status"] = "ok", ["model"] = "gpt-4o", ["inputTokens"] = 20, ["outputTokens"] = 3, ["cost"] = 0.002, ["startedAt"] = "2026-11-20T10:01:01Z" }),
        };
        Assert.Equal(HttpStatusCode.OK, (await Api.IngestAsync(new JsonObject { ["traces"] = new JsonArray(failed.DeepClone(), fine.DeepClone()) })).Status);

        await Handler.HandleAsync(await StoredDocumentsAsync("s-trace-error"), default);

        var failedSummary = await Summaries.TraceAsync("s-trace-error", "failed-turn");
        var session = await Summaries.SessionAsync("s-trace-error");
        Assert.Equal(("error", 0), ((string?)failedSummary!["status"], (int)failedSummary["errorCount"]!));
        Assert.Equal("ok", (string?)(await Summaries.TraceAsync("s-trace-error", "fine-turn"))!["status"]);
        Assert.Equal(("error", 0), ((string?)session!["status"], (int)session["errorCount"]!));
        SummaryOracle.AssertTrace(failed, failedSummary);
        SummaryOracle.AssertTrace(fine, await Summaries.TraceAsync("s-trace-error", "fine-turn"));
        SummaryOracle.AssertSession([failed, fine], session);
    }

    [Fact]
    public async Task Rebuilding_writes_deleted_summaries_back_as_computed_from_the_sent_data()
    {
        var sessionless = new JsonObject
        {
            ["id"] = "sessionless", ["name"] = "one-off", ["startedAt"] = "2026-11-20T11:00:00Z", ["endedAt"] = "2026-11-20T11:00:02.5Z", ["status"] = "error",
            ["spans"] = new JsonArray(new JsonObject { ["id"] = "x", ["name"] = "chat", ["kind"] = "llm", ["model"] = "gpt-4o", ["inputTokens"] = 40, ["outputTokens"] = 4, ["cost"] = 0.004, ["startedAt"] = "2026-11-20T11:00:01Z" }),
        };
        await Api.IngestAsync(Journey.Request(1, 2, 3, 4, 5));
        await Api.IngestAsync(new JsonObject { ["traces"] = new JsonArray(sessionless.DeepClone()) });
        await Handler.HandleAsync(await StoredDocumentsAsync(Journey.SessionId), default);
        await Summaries.DeleteAllAsync(Journey.SessionId);
        using var admin = App.CreateClient(App.AdminKey);

        using var response = await admin.PostAsync(new Uri($"/api/projects/{Api.Project.Id}/rebuild-summaries", UriKind.Relative), null);
        var report = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        // The sessionless trace was never rolled up before, so it is written too.
        Assert.Equal((6, 1, 6, 1), ((int)report["traces"]!, (int)report["sessions"]!, (int)report["traceSummariesWritten"]!, (int)report["sessionSummariesWritten"]!));
        await AssertJourneySummariesAsync("rebuilt");
        SummaryOracle.AssertTrace(sessionless, await Summaries.SessionlessTraceAsync("sessionless"));
    }

    [Fact]
    public async Task Rebuilding_needs_the_admin_key_and_an_existing_project()
    {
        using var reader = App.CreateClient(Api.Project.ReadKey);
        using var admin = App.CreateClient(App.AdminKey);

        using var forbidden = await reader.PostAsync(new Uri($"/api/projects/{Api.Project.Id}/rebuild-summaries", UriKind.Relative), null);
        using var missing = await admin.PostAsync(new Uri("/api/projects/nope/rebuild-summaries", UriKind.Relative), null);

        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    /// <summary>The journey's summaries are exactly the six the sent data gives: one per turn and the session's.</summary>
    private async Task AssertJourneySummariesAsync(string delivery)
    {
        var sent = Enumerable.Range(1, 5).Select(Journey.Trace).ToList();
        var ids = JsonNode.Parse(await Summaries.AllAsync(Journey.SessionId))!.AsArray().Select(s => (string?)s!["id"]).ToList();
        Assert.True(ids.Order(StringComparer.Ordinal).SequenceEqual(["session", "t:turn-1", "t:turn-2", "t:turn-3", "t:turn-4", "t:turn-5"]), $"{delivery}: {string.Join(", ", ids)}");
        foreach (var trace in sent)
        {
            SummaryOracle.AssertTrace(trace, await Summaries.TraceAsync(Journey.SessionId, (string)trace["id"]!));
        }

        var session = await Summaries.SessionAsync(Journey.SessionId);
        SummaryOracle.AssertSession(sent, session);
        Journey.AssertSummary(session);
    }
}
