using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.DependencyInjection;
using Traceway.Storage;
using Traceway.Tests.Deletion;
using Traceway.Tests.Infrastructure;

namespace Traceway.Tests.Erasure;

/// <summary>
/// <c>POST /api/projects/{id}/erasures</c> and <c>GET .../erasures/{id}</c>: every trace of one end user goes, with its
/// spans and blobs; sessions are recomputed; the job is stored, so it finishes after a restart and can run again.
/// </summary>
public sealed class ErasureTests(DeletionApp app) : IClassFixture<DeletionApp>
{
    [Fact]
    public async Task Erasing_a_user_removes_every_trace_of_theirs_recomputes_their_sessions_and_touches_no_one_else()
    {
        using var api = await IngestApi.ForNewProjectAsync(app);
        using var other = await IngestApi.ForNewProjectAsync(app);
        await SeedAsync(api);
        await SeedAsync(other);
        var summaries = new SummaryReader(app, api.Project.Id);
        await summaries.WaitForSessionAsync("shared", s => (int)s["traceCount"]! == 3, TimeSpan.FromSeconds(30));
        await summaries.WaitForSessionAsync("theirs", s => (int)s["traceCount"]! == 2, TimeSpan.FromSeconds(30));
        var otherBefore = await CountAsync(other.Project.Id);
        using var admin = app.CreateClient(app.AdminKey);

        using var started = await admin.PostAsJsonAsync(new Uri($"/api/projects/{api.Project.Id}/erasures", UriKind.Relative), new { userId = "u-erased" });
        var accepted = await started.Content.ReadFromJsonAsync<JsonElement>();
        var done = await WaitForDoneAsync(admin, api.Project.Id, accepted.GetProperty("id").GetString()!);
        await Task.Delay(500);
        var shared = await summaries.SessionAsync("shared");

        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        Assert.Equal($"/api/projects/{api.Project.Id}/erasures/{accepted.GetProperty("id").GetString()}", started.Headers.Location?.OriginalString);
        Assert.Equal("running", accepted.GetProperty("status").GetString());
        Assert.Equal(("done", "u-erased"), (done.GetProperty("status").GetString(), done.GetProperty("userId").GetString()));
        // Their traces: two in "shared", two in "theirs", one without a session; one span each.
        Assert.Equal("""{"traces":5,"spans":5,"sessions":2}""", done.GetProperty("removed").GetRawText());
        Assert.Null(await summaries.SessionAsync("theirs"));
        Assert.Equal((1, 1, "u-kept"), ((int)shared!["traceCount"]!, (int)shared["spanCount"]!, (string?)shared["userIds"]![0]));
        foreach (var traceId in new[] { "shared-1", "shared-2", "theirs-1", "theirs-2", "alone" })
        {
            Assert.Null(await api.GetTraceAsync(traceId));
        }

        Assert.NotNull(await api.GetTraceAsync("shared-3"));
        Assert.Equal((2, 1, 1), await CountAsync(api.Project.Id)); // shared-3: two documents, one index entry, one blob
        Assert.Equal(otherBefore, await CountAsync(other.Project.Id));
    }

    [Fact]
    public async Task An_erasure_accepted_by_an_instance_that_stopped_is_finished_after_a_restart_and_can_run_again()
    {
        var database = "erasure-" + Guid.NewGuid().ToString("N");
        string projectId, erasureId;
        await using (var first = new TracewayApp().WithSetting("Traceway:Cosmos:DatabaseName", database).WithSetting("Traceway:Erasure:Enabled", "false"))
        {
            await first.InitializeAsync();
            using var api = await IngestApi.ForNewProjectAsync(first);
            projectId = api.Project.Id;
            await SeedAsync(api);
            using var admin = first.CreateClient(first.AdminKey);
            using var started = await admin.PostAsJsonAsync(new Uri($"/api/projects/{projectId}/erasures", UriKind.Relative), new { userId = "u-erased" });
            erasureId = (await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
            await Task.Delay(300);
            using var meanwhile = await admin.GetAsync(new Uri($"/api/projects/{projectId}/erasures/{erasureId}", UriKind.Relative));
            Assert.Equal("running", (await meanwhile.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());
        }

        await using var second = new TracewayApp().WithSetting("Traceway:Cosmos:DatabaseName", database);
        await second.InitializeAsync();
        using var secondAdmin = second.CreateClient(second.AdminKey);
        var done = await WaitForDoneAsync(secondAdmin, projectId, erasureId);
        using var again = await secondAdmin.PostAsJsonAsync(new Uri($"/api/projects/{projectId}/erasures", UriKind.Relative), new { userId = "u-erased" });
        var rerun = await WaitForDoneAsync(secondAdmin, projectId, (await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!);
        var traces = second.Services.GetRequiredService<TracewayStores>().Traces;
        var left = await traces.CountAsync(new QueryDefinition("SELECT VALUE COUNT(1) FROM c WHERE c.projectId = @p AND c.userId = 'u-erased'").WithParameter("@p", projectId));
        var kept = await traces.CountAsync(new QueryDefinition("SELECT VALUE COUNT(1) FROM c WHERE c.projectId = @p AND c.type = 'trace'").WithParameter("@p", projectId));

        Assert.Equal(5, done.GetProperty("removed").GetProperty("traces").GetInt32());
        Assert.Equal("""{"traces":0,"spans":0,"sessions":0}""", rerun.GetProperty("removed").GetRawText());
        Assert.Equal((0, 1), (left, kept));
    }

    [Fact]
    public async Task An_erasure_interrupted_mid_run_by_a_restart_is_finished_by_the_next_instance()
    {
        const int Traces = 400;
        var database = "erasure-" + Guid.NewGuid().ToString("N");
        TracewayApp Instance() => new TracewayApp()
            .WithSetting("Traceway:Cosmos:DatabaseName", database)
            .WithSetting("Traceway:Erasure:PollSeconds", "1")
            .WithSetting("Traceway:Erasure:LeaseSeconds", "5");
        string projectId, erasureId;
        int removedBeforeRestart;
        await using (var first = Instance())
        {
            await first.InitializeAsync();
            using var api = await IngestApi.ForNewProjectAsync(first);
            projectId = api.Project.Id;
            var turns = Enumerable.Range(0, Traces).Select(i => new
            {
                id = $"mid-{i}", sessionId = $"s-{i % 20}", userId = "u-mid", startedAt = "2026-11-20T10:00:00Z",
                spans = new[] { new { id = "llm", name = "chat", kind = "llm", startedAt = "2026-11-20T10:00:00.1Z" } },
            });
            var (status, _) = await api.IngestAsync(new { traces = turns.Append(new { id = "kept", sessionId = "s-0", userId = "u-kept", startedAt = "2026-11-20T10:00:00Z", spans = new[] { new { id = "llm", name = "chat", kind = "llm", startedAt = "2026-11-20T10:00:00.1Z" } } }) });
            Assert.Equal(HttpStatusCode.OK, status);
            using var admin = first.CreateClient(first.AdminKey);
            using var started = await admin.PostAsJsonAsync(new Uri($"/api/projects/{projectId}/erasures", UriKind.Relative), new { userId = "u-mid" });
            erasureId = (await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;

            // Stopped as soon as the job has recorded progress and is still running: mid-run.
            JsonElement job;
            var deadline = DateTime.UtcNow.AddSeconds(60);
            do
            {
                using var response = await admin.GetAsync(new Uri($"/api/projects/{projectId}/erasures/{erasureId}", UriKind.Relative));
                job = await response.Content.ReadFromJsonAsync<JsonElement>();
                removedBeforeRestart = job.GetProperty("removed").GetProperty("traces").GetInt32();
            }
            while (removedBeforeRestart == 0 && job.GetProperty("status").GetString() == "running" && DateTime.UtcNow < deadline);

            Assert.Equal("running", job.GetProperty("status").GetString());
            Assert.InRange(removedBeforeRestart, 1, Traces - 1);
        }

        await using var second = Instance();
        await second.InitializeAsync();
        using var secondAdmin = second.CreateClient(second.AdminKey);
        var done = await WaitForDoneAsync(secondAdmin, projectId, erasureId);
        var traces = second.Services.GetRequiredService<TracewayStores>().Traces;
        var left = await traces.CountAsync(new QueryDefinition("SELECT VALUE COUNT(1) FROM c WHERE c.projectId = @p AND STARTSWITH(c.traceId, 'mid-')").WithParameter("@p", projectId));
        var kept = await traces.CountAsync(new QueryDefinition("SELECT VALUE COUNT(1) FROM c WHERE c.projectId = @p AND c.traceId = 'kept'").WithParameter("@p", projectId));

        Assert.Equal("done", done.GetProperty("status").GetString());
        Assert.True(done.GetProperty("removed").GetProperty("traces").GetInt32() >= removedBeforeRestart);
        Assert.Equal((0, 2), (left, kept));
    }

    [Fact]
    public async Task Erasures_need_the_admin_key_name_a_missing_user_id_and_answer_404_for_unknown_projects_and_jobs()
    {
        var project = await app.CreateProjectAsync();
        using var admin = app.CreateClient(app.AdminKey);
        using var reader = app.CreateClient(project.ReadKey);
        using var anonymous = app.CreateClient();
        var path = new Uri($"/api/projects/{project.Id}/erasures", UriKind.Relative);

        using var none = await anonymous.PostAsJsonAsync(path, new { userId = "u" });
        using var read = await reader.PostAsJsonAsync(path, new { userId = "u" });
        using var missing = await admin.PostAsJsonAsync(path, new { });
        using var unknownProject = await admin.PostAsJsonAsync(new Uri("/api/projects/nope/erasures", UriKind.Relative), new { userId = "u" });
        using var unknownJob = await admin.GetAsync(new Uri($"/api/projects/{project.Id}/erasures/nope", UriKind.Relative));
        using var readJob = await reader.GetAsync(new Uri($"/api/projects/{project.Id}/erasures/nope", UriKind.Relative));
        var problem = await missing.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(
            (HttpStatusCode.Unauthorized, HttpStatusCode.Forbidden, HttpStatusCode.BadRequest, HttpStatusCode.NotFound, HttpStatusCode.NotFound, HttpStatusCode.Forbidden),
            (none.StatusCode, read.StatusCode, missing.StatusCode, unknownProject.StatusCode, unknownJob.StatusCode, readJob.StatusCode));
        Assert.True(problem.GetProperty("errors").TryGetProperty("userId", out _));
        Assert.Equal("application/problem+json", unknownJob.Content.Headers.ContentType?.MediaType);
    }

    /// <summary>u-erased: two of three traces of "shared", both of "theirs", one without a session; u-kept: shared-3.</summary>
    private static async Task SeedAsync(IngestApi api)
    {
        var (status, body) = await api.IngestAsync(new
        {
            traces = new[]
            {
                Turn("shared-1", "shared", "u-erased"), Turn("shared-2", "shared", "u-erased"), Turn("shared-3", "shared", "u-kept"),
                Turn("theirs-1", "theirs", "u-erased"), Turn("theirs-2", "theirs", "u-erased"), Turn("alone", null, "u-erased"),
            },
        });
        Assert.True(status == HttpStatusCode.OK, body.ToString());

        object Turn(string id, string? sessionId, string userId) => new
        {
            id,
            sessionId,
            userId,
            name = "chat-turn",
            startedAt = "2026-11-20T10:00:00Z",
            input = $"{api.Project.Id}-{id}:" + new string('x', 1500),
            spans = new[] { new { id = "llm", name = "gpt-4o", kind = "llm", inputTokens = 5, startedAt = "2026-11-20T10:00:00.1Z" } },
        };
    }

    private static async Task<JsonElement> WaitForDoneAsync(HttpClient admin, string projectId, string erasureId)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        JsonElement job;
        do
        {
            using var response = await admin.GetAsync(new Uri($"/api/projects/{projectId}/erasures/{erasureId}", UriKind.Relative));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            job = await response.Content.ReadFromJsonAsync<JsonElement>();
            if (job.GetProperty("status").GetString() != "running")
            {
                return job;
            }

            await Task.Delay(100);
        }
        while (DateTime.UtcNow < deadline);

        return job;
    }

    /// <summary>A project's documents in <c>traces</c>, entries in the trace index and payload blobs.</summary>
    private async Task<(int Traces, int Index, int Blobs)> CountAsync(string projectId)
    {
        var stores = app.Services.GetRequiredService<TracewayStores>();
        var traces = await stores.Traces.CountAsync(new QueryDefinition("SELECT VALUE COUNT(1) FROM c WHERE c.projectId = @p").WithParameter("@p", projectId));
        var index = await stores.TraceIndex.CountAsync(new QueryDefinition("SELECT VALUE COUNT(1) FROM c WHERE c.projectId = @p").WithParameter("@p", projectId));
        var blobs = 0;
        await foreach (var _ in stores.Payloads.GetBlobsAsync(Azure.Storage.Blobs.Models.BlobTraits.None, Azure.Storage.Blobs.Models.BlobStates.None, projectId + "/", default))
        {
            blobs++;
        }

        return (traces, index, blobs);
    }

}
