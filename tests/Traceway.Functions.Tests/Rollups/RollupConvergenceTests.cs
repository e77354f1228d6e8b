using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.DependencyInjection;
using Traceway.Rollups;
using Traceway.Storage;
using Traceway.Tests.Infrastructure;
using Traceway.Traces;

namespace Traceway.Tests.Rollups;

/// <summary>
/// The change feed delivers at least once, may reorder across partitions and skip versions: every way a
/// batch can arrive converges to the summaries of one in-order delivery. The processor is off here; the
/// test plays the change feed by calling the rollup handler with the stored documents.
/// </summary>
public sealed class RollupConvergenceTests : IAsyncLifetime
{
    // These tests hand batches to the rollup handler themselves: no change feed processor races them.
    private readonly TracewayApp _app = new TracewayApp().WithSetting("Traceway:ChangeFeed:Enabled", "false");
    private IngestApi _api = null!;
    private SummaryReader _summaries = null!;

    private RollupHandler Handler => _app.Services.GetRequiredService<RollupHandler>();

    public async Task InitializeAsync()
    {
        await _app.InitializeAsync();
        _api = await IngestApi.ForNewProjectAsync(_app);
        _summaries = new SummaryReader(_app, _api.Project.Id);
    }

    public async Task DisposeAsync()
    {
        _api.Dispose();
        await ((IAsyncLifetime)_app).DisposeAsync();
    }

    [Fact]
    public async Task Duplicate_reversed_and_concurrent_deliveries_converge_to_the_in_order_summaries()
    {
        await _api.IngestAsync(Journey.Request(1, 2, 3, 4, 5));
        var changes = await StoredDocumentsAsync();
        await Handler.HandleAsync(changes, default);
        var inOrder = await _summaries.AllAsync(Journey.SessionId);
        Journey.AssertSummary(await _summaries.SessionAsync(Journey.SessionId));

        await _summaries.DeleteAllAsync(Journey.SessionId);
        await Handler.HandleAsync(changes, default);
        await Handler.HandleAsync(changes, default);
        var twice = await _summaries.AllAsync(Journey.SessionId);

        await _summaries.DeleteAllAsync(Journey.SessionId);
        foreach (var batch in changes.Chunk(3).Reverse())
        {
            await Handler.HandleAsync(batch.Reverse(), default);
        }

        var reversed = await _summaries.AllAsync(Journey.SessionId);

        // Two processors racing on one session, each with a different turn: no update may be lost.
        await _summaries.DeleteAllAsync(Journey.SessionId);
        await Task.WhenAll(changes.GroupBy(c => c.GetProperty("traceId").GetString()).Select(turn => Task.Run(() => Handler.HandleAsync(turn, default))));
        var raced = await _summaries.AllAsync(Journey.SessionId);

        Assert.Equal(inOrder, twice);
        Assert.Equal(inOrder, reversed);
        Assert.Equal(inOrder, raced);
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
        Assert.Equal(HttpStatusCode.OK, (await _api.IngestAsync(spansOnly)).Status);
        await Handler.HandleAsync(await StoredDocumentsAsync(), default);
        var fromSpans = await _summaries.SessionAsync(Journey.SessionId);

        await _api.IngestAsync(Journey.Request(1, 2, 3, 4, 5));
        var traceDocuments = (await StoredDocumentsAsync()).Where(d => d.GetProperty("type").GetString() == "trace").ToList();
        await Handler.HandleAsync(traceDocuments, default);
        var final = await _summaries.AllAsync(Journey.SessionId);
        await _summaries.DeleteAllAsync(Journey.SessionId);
        await Handler.HandleAsync(await StoredDocumentsAsync(), default);

        Assert.Equal((5, 8, 1500L), ((int)fromSpans!["traceCount"]!, (int)fromSpans["spanCount"]!, (long)fromSpans["inputTokens"]!));
        Assert.Empty(fromSpans["userIds"]!.AsArray());
        Assert.Equal(await _summaries.AllAsync(Journey.SessionId), final);
        Journey.AssertSummary(await _summaries.SessionAsync(Journey.SessionId));
    }

    [Fact]
    public async Task Rebuilding_reproduces_deleted_summaries_exactly()
    {
        await _api.IngestAsync(Journey.Request(1, 2, 3, 4, 5));
        await _api.IngestAsync(new { traces = new[] { Items.Turn("sessionless", null, [Items.Llm("x")]) } });
        await Handler.HandleAsync(await StoredDocumentsAsync(), default);
        var before = await _summaries.AllAsync(Journey.SessionId);
        await _summaries.DeleteAllAsync(Journey.SessionId);
        using var admin = _app.CreateClient(_app.AdminKey);

        using var response = await admin.PostAsync(new Uri($"/api/projects/{_api.Project.Id}/rebuild-summaries", UriKind.Relative), null);
        var report = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        // The sessionless trace was never rolled up before, so it is written too.
        Assert.Equal((6, 1, 6, 1), ((int)report["traces"]!, (int)report["sessions"]!, (int)report["traceSummariesWritten"]!, (int)report["sessionSummariesWritten"]!));
        Assert.Equal(before, await _summaries.AllAsync(Journey.SessionId));
    }

    [Fact]
    public async Task Rebuilding_needs_the_admin_key_and_an_existing_project()
    {
        using var reader = _app.CreateClient(_api.Project.ReadKey);
        using var admin = _app.CreateClient(_app.AdminKey);

        using var forbidden = await reader.PostAsync(new Uri($"/api/projects/{_api.Project.Id}/rebuild-summaries", UriKind.Relative), null);
        using var missing = await admin.PostAsync(new Uri("/api/projects/nope/rebuild-summaries", UriKind.Relative), null);

        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    /// <summary>The session's stored trace and span documents, as the change feed would deliver them.</summary>
    private async Task<List<JsonElement>> StoredDocumentsAsync()
    {
        var traces = _app.Services.GetRequiredService<TracewayStores>().Traces;
        var options = new QueryRequestOptions { PartitionKey = new PartitionKey(DocumentKeys.SessionPartitionKey(_api.Project.Id, Journey.SessionId)) };
        using var iterator = traces.GetItemQueryIterator<JsonElement>(new QueryDefinition("SELECT * FROM c ORDER BY c._ts"), requestOptions: options);
        var documents = new List<JsonElement>();
        while (iterator.HasMoreResults)
        {
            documents.AddRange(await iterator.ReadNextAsync());
        }

        return documents;
    }
}
