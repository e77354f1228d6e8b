using System.Diagnostics;
using System.Net;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.DependencyInjection;
using Traceway.Storage;
using Traceway.Tests.Infrastructure;
using Traceway.Tests.Projects;

namespace Traceway.Tests.Retention;

/// <summary>The app retention tests talk to: a retention day lasts one second, and rollups run (summaries and ledgers expire too).</summary>
public sealed class RetentionTestApp : TracewayApp
{
    public RetentionTestApp()
    {
        WithSetting("Traceway:Retention:SecondsPerDay", "1");
        WithSetting("Traceway:ChangeFeed:Enabled", "true");
        WithSetting("Traceway:ChangeFeed:PollIntervalMs", "100");
    }
}

/// <summary>A project's <c>retentionDays</c>: what is written from then on expires in the store itself, and only that project's.</summary>
public sealed class RetentionTests(RetentionTestApp app) : IClassFixture<RetentionTestApp>
{
    [Fact]
    public async Task Documents_summaries_ledgers_and_index_entries_of_a_project_with_retention_expire_and_another_projects_stay()
    {
        using var expiring = await IngestApi.ForNewProjectAsync(app);
        using var kept = await IngestApi.ForNewProjectAsync(app);
        using var admin = app.CreateClient(app.AdminKey);
        // 6 "days" of one second each: long enough to see everything written and rolled up first.
        var (patched, _) = await ProjectSettingsTests.PatchAsync(admin, expiring.Project.Id, """{"retentionDays": 6}""");
        Assert.Equal(HttpStatusCode.OK, patched);

        foreach (var api in new[] { expiring, kept })
        {
            var (status, _) = await api.IngestAsync(Session("s-1", traces: 2, spansPerTrace: 2));
            Assert.Equal(HttpStatusCode.OK, status);
        }

        // 2 traces + 4 spans; session and trace summaries with their ledgers; 2 index entries.
        var expiringBefore = await WaitForAsync(expiring.Project.Id, c => c.Summaries >= 3, TimeSpan.FromSeconds(5));
        // The other project's rollups may still be writing: its counts once they have settled.
        await WaitForAsync(kept.Project.Id, c => c.Summaries >= expiringBefore.Summaries, TimeSpan.FromSeconds(10));
        var keptBefore = await SettledAsync(kept.Project.Id);
        var expiringAfter = await WaitForAsync(expiring.Project.Id, c => c == new Counts(0, 0, 0), TimeSpan.FromSeconds(30));
        var keptAfter = await CountAsync(kept.Project.Id);

        Assert.Equal((6, 2), (expiringBefore.Documents, expiringBefore.Index));
        Assert.Equal(new Counts(0, 0, 0), expiringAfter);
        Assert.Equal(keptBefore, keptAfter);
        Assert.Equal((6, 2), (keptAfter.Documents, keptAfter.Index));
    }

    private static object Session(string sessionId, int traces, int spansPerTrace) => new
    {
        traces = Enumerable.Range(0, traces).Select(t => new
        {
            id = $"{sessionId}-t{t}",
            sessionId,
            startedAt = $"2026-11-20T10:0{t}:00Z",
            spans = Enumerable.Range(0, spansPerTrace).Select(s => new { id = $"span-{s}", name = "chat", kind = "llm", model = "gpt-4o", inputTokens = 10, outputTokens = 5, startedAt = $"2026-11-20T10:0{t}:01Z" }).ToArray(),
        }).ToArray(),
    };

    private async Task<Counts> SettledAsync(string projectId)
    {
        var counts = await CountAsync(projectId);
        for (var previous = default(Counts); counts != previous; counts = await CountAsync(projectId))
        {
            previous = counts;
            await Task.Delay(1000);
        }

        return counts;
    }

    private async Task<Counts> WaitForAsync(string projectId, Func<Counts, bool> done, TimeSpan deadline)
    {
        var clock = Stopwatch.StartNew();
        var counts = await CountAsync(projectId);
        while (!done(counts) && clock.Elapsed < deadline)
        {
            await Task.Delay(200);
            counts = await CountAsync(projectId);
        }

        Assert.True(done(counts), $"{counts} after {clock.Elapsed.TotalSeconds:0.0} s");
        return counts;
    }

    private async Task<Counts> CountAsync(string projectId)
    {
        var stores = app.Services.GetRequiredService<TracewayStores>();
        var byPk = new QueryDefinition("SELECT VALUE COUNT(1) FROM c WHERE STARTSWITH(c.pk, @prefix)").WithParameter("@prefix", projectId + ":");
        var index = new QueryDefinition("SELECT VALUE COUNT(1) FROM c WHERE c.projectId = @projectId").WithParameter("@projectId", projectId);
        return new Counts(await stores.Traces.CountAsync(byPk), await stores.Summaries.CountAsync(byPk), await stores.TraceIndex.CountAsync(index));
    }

    private sealed record Counts(int Documents, int Summaries, int Index);
}
