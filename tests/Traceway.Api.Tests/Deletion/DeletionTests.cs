using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.DependencyInjection;
using Traceway.Documents;
using Traceway.Storage;
using Traceway.Tests.Infrastructure;

namespace Traceway.Tests.Deletion;

/// <summary>The app with rollups on and a small blob threshold, so deletion meets summaries, ledgers and payload blobs.</summary>
public sealed class DeletionApp : TracewayApp
{
    public override Task InitializeAsync()
    {
        WithSetting("Traceway:ChangeFeed:Enabled", "true");
        WithSetting("Traceway:ChangeFeed:PollIntervalMs", "100");
        WithSetting("Traceway:Ingest:PayloadBlobThresholdBytes", "1024");
        return base.InitializeAsync();
    }
}

/// <summary>
/// <c>DELETE /api/sessions/{id}</c> and <c>DELETE /api/traces/{id}</c>: scope <c>delete</c> (or the admin key),
/// everything of the deleted data gone from every container and the blob container, nothing else touched.
/// </summary>
public sealed class DeletionTests(DeletionApp app) : IClassFixture<DeletionApp>
{
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Deleting_a_1000_trace_session_with_blobs_leaves_nothing_of_it_and_touches_nothing_else()
    {
        var (api, deleter) = await ProjectWithDeleteKeyAsync();
        using var other = await IngestApi.ForNewProjectAsync(app);
        await IngestSessionAsync(api, "big", 1000);
        await IngestSessionAsync(api, "kept", 20);
        await IngestSessionAsync(other, "big", 20);
        var summaries = new SummaryReader(app, api.Project.Id);
        await summaries.WaitForSessionAsync("big", s => (int)s["traceCount"]! == 1000 && (int)s["spanCount"]! == 1000, Settle);
        await new SummaryReader(app, api.Project.Id).WaitForSessionAsync("kept", s => (int)s["traceCount"]! == 20, Settle);
        await new SummaryReader(app, other.Project.Id).WaitForSessionAsync("big", s => (int)s["traceCount"]! == 20, Settle);
        var before = await CountAsync(api.Project.Id);
        var keptBefore = await CountAsync(api.Project.Id, "kept");
        var otherBefore = await CountAsync(other.Project.Id);

        using var response = await deleter.DeleteAsync(new Uri("/api/sessions/big", UriKind.Relative));
        await Task.Delay(1000); // a rollup running after the deletion must not bring anything back
        var after = await CountAsync(api.Project.Id);
        using var read = app.CreateClient(api.Project.ReadKey);
        using var detail = await read.GetAsync(new Uri("/api/sessions/big", UriKind.Relative));
        using var again = await deleter.DeleteAsync(new Uri("/api/sessions/big", UriKind.Relative));

        // 1,000 traces of one span each: two documents, one index entry, one blob (unique input) per trace.
        Assert.Equal(new Counts(Traces: 2040, Summaries: before.Summaries, Index: 1020, Blobs: 1020), before);
        Assert.True(before.Summaries > 1020, $"summaries before: {before.Summaries}");
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal(keptBefore, after);
        Assert.Equal(keptBefore, await CountAsync(api.Project.Id, "kept"));
        Assert.Equal(otherBefore, await CountAsync(other.Project.Id));
        Assert.Equal(HttpStatusCode.NotFound, detail.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
    }

    [Fact]
    public async Task Deleting_a_trace_removes_it_and_its_own_blob_keeps_a_blob_another_trace_shares_and_recomputes_the_session()
    {
        var (api, deleter) = await ProjectWithDeleteKeyAsync();
        var shared = Payload("shared");
        await api.IngestAsync(new
        {
            traces = new[]
            {
                Turn("t-1", "s", Payload("own-1"), shared, inputTokens: 100),
                Turn("t-2", "s", Payload("own-2"), shared, inputTokens: 20),
                Turn("t-3", "s", Payload("own-3"), null, inputTokens: 3),
            },
        });
        var summaries = new SummaryReader(app, api.Project.Id);
        await summaries.WaitForSessionAsync("s", s => (int)s["traceCount"]! == 3, Settle);
        var blobsBefore = await BlobsAsync(api.Project.Id);

        using var response = await deleter.DeleteAsync(new Uri("/api/traces/t-1", UriKind.Relative));
        var session = await summaries.SessionAsync("s");
        var blobsAfter = await BlobsAsync(api.Project.Id);
        using var rebuild = await RebuildAsync(api.Project.Id);
        var report = await rebuild.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Null(await api.GetTraceAsync("t-1"));
        Assert.NotNull(await api.GetTraceAsync("t-2"));
        Assert.Null(await summaries.TraceAsync("s", "t-1"));
        Assert.Equal((2, 2, 23L), ((int)session!["traceCount"]!, (int)session["spanCount"]!, (long)session["inputTokens"]!));
        Assert.Equal(4, blobsBefore.Count); // own-1, own-2, own-3, shared
        Assert.Equal(3, blobsAfter.Count);
        Assert.Equal(blobsBefore.Count - 1, blobsBefore.Intersect(blobsAfter).Count());
        Assert.Equal((0, 0), (report.GetProperty("traceSummariesWritten").GetInt32(), report.GetProperty("sessionSummariesWritten").GetInt32()));
        Assert.Equal(new Counts(4, 0, 2, 3) with { Summaries = (await CountAsync(api.Project.Id)).Summaries }, await CountAsync(api.Project.Id));
        var twoSpansOfT2AndT3 = JsonNode.Parse((await (await app.CreateClient(api.Project.ReadKey).GetAsync(new Uri("/api/traces/t-2", UriKind.Relative))).Content.ReadAsStringAsync()))!;
        Assert.Equal(shared.Length, twoSpansOfT2AndT3["spans"]![0]!["output"]!.ToJsonString().Length - 2);
    }

    [Fact]
    public async Task Deleting_the_last_trace_of_a_session_removes_the_session_summary()
    {
        var (api, deleter) = await ProjectWithDeleteKeyAsync();
        await api.IngestAsync(new { traces = new[] { Turn("only", "alone", "in", "out", 5) } });
        var summaries = new SummaryReader(app, api.Project.Id);
        await summaries.WaitForSessionAsync("alone", s => (int)s["traceCount"]! == 1, Settle);

        using var response = await deleter.DeleteAsync(new Uri("/api/traces/only", UriKind.Relative));
        await Task.Delay(500);
        using var detail = await app.CreateClient(api.Project.ReadKey).GetAsync(new Uri("/api/sessions/alone", UriKind.Relative));

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Null(await summaries.SessionAsync("alone"));
        Assert.Equal(HttpStatusCode.NotFound, detail.StatusCode);
        Assert.Equal(new Counts(0, 0, 0, 0), await CountAsync(api.Project.Id));
    }

    [Fact]
    public async Task The_default_keys_cannot_delete_403_no_key_is_401_and_unknown_ids_are_404_problems()
    {
        var (api, deleter) = await ProjectWithDeleteKeyAsync();
        await api.IngestAsync(new { traces = new[] { Turn("t", "s", "in", "out", 1) } });
        using var ingest = app.CreateClient(api.Project.IngestKey);
        using var read = app.CreateClient(api.Project.ReadKey);
        using var anonymous = app.CreateClient();

        var answers = new List<(string, HttpStatusCode, string?)>();
        foreach (var (client, path) in new[] { (ingest, "/api/sessions/s"), (read, "/api/traces/t"), (anonymous, "/api/sessions/s"), (deleter, "/api/sessions/nope"), (deleter, "/api/traces/nope") })
        {
            using var response = await client.DeleteAsync(new Uri(path, UriKind.Relative));
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            answers.Add((path, response.StatusCode, problem.GetProperty("title").GetString()));
        }

        Assert.Equal(
            [
                ("/api/sessions/s", HttpStatusCode.Forbidden, "The key lacks the needed scope"),
                ("/api/traces/t", HttpStatusCode.Forbidden, "The key lacks the needed scope"),
                ("/api/sessions/s", HttpStatusCode.Unauthorized, "Missing or unknown API key"),
                ("/api/sessions/nope", HttpStatusCode.NotFound, "Session not found"),
                ("/api/traces/nope", HttpStatusCode.NotFound, "Trace not found"),
            ],
            answers);
        Assert.NotNull(await api.GetTraceAsync("t"));
    }

    [Fact]
    public async Task The_admin_key_deletes_in_the_project_it_names_and_is_told_to_name_one()
    {
        var (api, _) = await ProjectWithDeleteKeyAsync();
        await api.IngestAsync(new { traces = new[] { Turn("t", "s", "in", "out", 1) } });
        using var admin = app.CreateClient(app.AdminKey);

        using var unnamed = await admin.DeleteAsync(new Uri("/api/traces/t", UriKind.Relative));
        using var unknown = await admin.DeleteAsync(new Uri("/api/traces/t?projectId=nope", UriKind.Relative));
        using var deleted = await admin.DeleteAsync(new Uri($"/api/traces/t?projectId={api.Project.Id}", UriKind.Relative));
        var problem = await unnamed.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal((HttpStatusCode.BadRequest, HttpStatusCode.NotFound, HttpStatusCode.NoContent), (unnamed.StatusCode, unknown.StatusCode, deleted.StatusCode));
        Assert.True(problem.GetProperty("errors").TryGetProperty("projectId", out _));
        Assert.Null(await api.GetTraceAsync("t"));
    }

    [Fact]
    public async Task A_session_deleted_while_it_is_being_ingested_ends_with_summaries_a_rebuild_agrees_with()
    {
        var (api, deleter) = await ProjectWithDeleteKeyAsync();
        using var bystander = await IngestApi.ForNewProjectAsync(app);
        await IngestSessionAsync(bystander, "live", 30);
        await new SummaryReader(app, bystander.Project.Id).WaitForSessionAsync("live", s => (int)s["traceCount"]! == 30, Settle);
        var bystanderBefore = await CountAsync(bystander.Project.Id);
        await IngestSessionAsync(api, "live", 200);
        using var stop = new CancellationTokenSource();
        var sent = 0;
        var writers = Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                // New traces, and resends of traces the deletion removes (same ids, spans and payloads).
                var ids = Enumerable.Range(0, 5).Select(k => i % 2 == 0 ? $"w{w}-{i}-{k}" : $"live-{(i * 5 + k + w * 50) % 200}");
                await api.IngestAsync(new { traces = ids.Select(id => Turn(id, "live", Payload($"{api.Project.Id}-{id}"), "out", 7)).ToArray() });
                Interlocked.Increment(ref sent);
            }
        })).ToList();
        await Task.Delay(700);

        using var response = await deleter.DeleteAsync(new Uri("/api/sessions/live", UriKind.Relative));
        await Task.Delay(700);
        await stop.CancelAsync();
        await Task.WhenAll(writers);

        // What a recompute from the stored documents gives: a resend racing the deletion may have kept its trace
        // document and lost its span, so the expectation is read from the store, not from what was sent.
        var documents = await StoredDocumentsAsync(api.Project.Id, "live");
        var traces = documents.Select(d => (string)d["traceId"]!).Distinct().Count();
        var spans = documents.Where(d => (string?)d["type"] == "span").ToList();
        var inputTokens = spans.Sum(d => (long?)d["inputTokens"] ?? 0);
        var summaries = new SummaryReader(app, api.Project.Id);
        var session = await summaries.WaitForSessionAsync("live", s => (int)s["traceCount"]! == traces && (int)s["spanCount"]! == spans.Count, Settle);
        await Task.Delay(500);
        using var rebuild = await RebuildAsync(api.Project.Id);
        var report = await rebuild.Content.ReadFromJsonAsync<JsonElement>();
        var blobs = await BlobsAsync(api.Project.Id);
        var referenced = documents.Select(d => (string?)d["inputRef"]?["blob"]).OfType<string>().Distinct().ToList();

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.True(sent > 10, $"only {sent} requests were sent during the test");
        Assert.True(traces > 0, "nothing was ingested after the deletion");
        Assert.Equal((traces, spans.Count, inputTokens), ((int)session!["traceCount"]!, (int)session["spanCount"]!, (long)session["inputTokens"]!));
        Assert.Equal((traces, 0, 0), (report.GetProperty("traces").GetInt32(), report.GetProperty("traceSummariesWritten").GetInt32(), report.GetProperty("sessionSummariesWritten").GetInt32()));
        Assert.Equal(traces, (await CountAsync(api.Project.Id)).Index);
        Assert.Empty(referenced.Except(blobs));
        Assert.Equal(bystanderBefore, await CountAsync(bystander.Project.Id));
    }

    [Fact]
    public async Task A_blob_an_ingest_found_already_there_is_confirmed_after_its_document_and_uploaded_again_if_a_deletion_took_it()
    {
        var payloads = app.Services.GetRequiredService<PayloadStore>();
        var container = app.Services.GetRequiredService<TracewayStores>().Payloads;
        var json = "\"" + Payload("confirm-" + Guid.NewGuid().ToString("N")) + "\"";

        var uploaded = await payloads.StoreAsync("p-confirm", json, default);
        var reused = await payloads.StoreAsync("p-confirm", json, default);
        var blob = container.GetBlobClient(reused.Reference!.Blob);
        var before = (await blob.GetPropertiesAsync()).Value.ETag;
        await payloads.ConfirmAsync(reused, default);
        var confirmed = (await blob.GetPropertiesAsync()).Value.ETag;
        await blob.DeleteAsync(); // a deletion that saw no reference yet
        await payloads.ConfirmAsync(reused, default);
        var content = (await blob.DownloadContentAsync()).Value.Content.ToString();

        Assert.Null(uploaded.Reused);
        Assert.NotNull(reused.Reused);
        Assert.NotEqual(before, confirmed);
        Assert.Equal(json, content);
    }

    private async Task<(IngestApi Api, HttpClient Deleter)> ProjectWithDeleteKeyAsync()
    {
        var api = await IngestApi.ForNewProjectAsync(app);
        using var admin = app.CreateClient(app.AdminKey);
        using var created = await admin.PostAsJsonAsync(new Uri($"/api/projects/{api.Project.Id}/keys", UriKind.Relative), new { scopes = new[] { "delete" }, name = "deleter" });
        created.EnsureSuccessStatusCode();
        return (api, app.CreateClient((await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("key").GetString()!));
    }

    /// <summary><paramref name="count"/> traces of one LLM span each; every trace's input is its own blob.</summary>
    private static async Task IngestSessionAsync(IngestApi api, string sessionId, int count)
    {
        foreach (var batch in Enumerable.Range(0, count).Chunk(100))
        {
            var (status, body) = await api.IngestAsync(new { traces = batch.Select(i => Turn($"{sessionId}-{i}", sessionId, Payload($"{api.Project.Id}-{sessionId}-{i}"), "out", 7)).ToArray() });
            Assert.True(status == HttpStatusCode.OK, body.ToString());
        }
    }

    private static object Turn(string id, string sessionId, string input, string? output, long inputTokens) => new
    {
        id,
        sessionId,
        name = "chat-turn",
        startedAt = "2026-11-20T10:00:00Z",
        endedAt = "2026-11-20T10:00:03Z",
        input,
        spans = new[]
        {
            new { id = "llm", name = "gpt-4o", kind = "llm", model = "gpt-4o", inputTokens, outputTokens = 1, output, startedAt = "2026-11-20T10:00:00.1Z", endedAt = "2026-11-20T10:00:01Z" },
        },
    };

    /// <summary>Over the 1 KB blob threshold, and unique to <paramref name="seed"/>.</summary>
    private static string Payload(string seed) => seed + ":" + new string('x', 1500);

    private async Task<HttpResponseMessage> RebuildAsync(string projectId)
    {
        using var admin = app.CreateClient(app.AdminKey);
        return await admin.PostAsync(new Uri($"/api/projects/{projectId}/rebuild-summaries", UriKind.Relative), null);
    }

    private sealed record Counts(int Traces, int Summaries, int Index, int Blobs);

    /// <summary>What a project (or one of its sessions) holds in every container and in the blob container.</summary>
    private async Task<Counts> CountAsync(string projectId, string? sessionId = null)
    {
        var stores = app.Services.GetRequiredService<TracewayStores>();
        var prefix = sessionId is null ? projectId + ":" : DocumentKeys.SessionPartitionKey(projectId, sessionId);
        var byPk = new QueryDefinition("SELECT VALUE COUNT(1) FROM c WHERE STARTSWITH(c.pk, @prefix)").WithParameter("@prefix", prefix);
        var index = sessionId is null
            ? new QueryDefinition("SELECT VALUE COUNT(1) FROM c WHERE c.projectId = @projectId").WithParameter("@projectId", projectId)
            : new QueryDefinition("SELECT VALUE COUNT(1) FROM c WHERE c.projectId = @projectId AND c.sessionId = @sessionId").WithParameter("@projectId", projectId).WithParameter("@sessionId", sessionId);
        var blobs = await BlobsAsync(projectId);
        var sessionBlobs = sessionId is null ? blobs.Count : (await StoredTracesAsync(projectId, sessionId)).Count;
        return new Counts(await stores.Traces.CountAsync(byPk), await stores.Summaries.CountAsync(byPk), await stores.TraceIndex.CountAsync(index), sessionBlobs);
    }

    private async Task<List<string>> StoredTracesAsync(string projectId, string sessionId)
    {
        var stores = app.Services.GetRequiredService<TracewayStores>();
        var ids = new List<string>();
        using var iterator = stores.Traces.GetItemQueryIterator<string>(
            new QueryDefinition("SELECT VALUE c.traceId FROM c WHERE c.type = 'trace'"),
            requestOptions: new QueryRequestOptions { PartitionKey = new PartitionKey(DocumentKeys.SessionPartitionKey(projectId, sessionId)) });
        while (iterator.HasMoreResults)
        {
            ids.AddRange(await iterator.ReadNextAsync());
        }

        return ids;
    }

    private async Task<List<JsonNode>> StoredDocumentsAsync(string projectId, string sessionId)
    {
        var stores = app.Services.GetRequiredService<TracewayStores>();
        var documents = new List<JsonNode>();
        using var iterator = stores.Traces.GetItemQueryIterator<JsonNode>(
            new QueryDefinition("SELECT c.type, c.traceId, c.inputTokens, c.inputRef FROM c"),
            requestOptions: new QueryRequestOptions { PartitionKey = new PartitionKey(DocumentKeys.SessionPartitionKey(projectId, sessionId)) });
        while (iterator.HasMoreResults)
        {
            documents.AddRange(await iterator.ReadNextAsync());
        }

        return documents;
    }

    private async Task<List<string>> BlobsAsync(string projectId)
    {
        var names = new List<string>();
        await foreach (var blob in app.Services.GetRequiredService<TracewayStores>().Payloads.GetBlobsAsync(Azure.Storage.Blobs.Models.BlobTraits.None, Azure.Storage.Blobs.Models.BlobStates.None, projectId + "/", default))
        {
            names.Add(blob.Name);
        }

        return names;
    }
}
