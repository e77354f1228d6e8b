using System.Net;
using System.Text.Json;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.DependencyInjection;
using Traceway.Rollups;
using Traceway.Storage;
using Traceway.Tests.Infrastructure;

namespace Traceway.Tests.Reliability;

/// <summary>
/// Sustained concurrent ingestion, store faults and a restart lose nothing: a stated minimum of the spans
/// sent is acknowledged, exactly the acknowledged spans are stored, and each session's summary says exactly
/// what the test's own ledger of acknowledged items says (traces, spans, tokens, cost). The load is a fixed
/// number of batches of 30 items (TRACEWAY_LOAD_BATCHES, 80 by default; raise it for a longer soak): the
/// emulator scans its whole store for each query, so the data set is kept small enough for the test
/// command's time budget.
/// </summary>
public sealed class ReliabilityTests
{
    private static readonly int LoadBatches = Setting("TRACEWAY_LOAD_BATCHES", 80);

    [Fact]
    public async Task Sustained_concurrent_ingestion_stores_every_acknowledged_span_once_with_flat_memory()
    {
        await using var app = new TracewayApp().WithSetting("Traceway:ChangeFeed:Enabled", "true");
        await app.InitializeAsync();
        var project = await app.CreateProjectAsync();
        var load = new LoadClient(() => app.CreateClient(project.IngestKey));

        await load.RunAsync(clients: 2, batches: 10);
        var heapAfterWarmUp = ManagedHeapAfterCollection();
        await load.RunAsync(clients: 4, LoadBatches);
        var heapAfterLoad = ManagedHeapAfterCollection();

        Assert.Equal((10 + LoadBatches) * 30, load.Sent);
        Assert.All(load.Statuses, s => Assert.True(s is HttpStatusCode.OK or HttpStatusCode.MultiStatus or HttpStatusCode.ServiceUnavailable or HttpStatusCode.TooManyRequests, $"{s}"));
        Assert.DoesNotContain(load.Rejected, r => r.Status != 503);
        Assert.Equal(load.Sent, load.AcknowledgedSpans.Count + load.AcknowledgedTraces.Count + load.Rejected.Count);
        // Without injected faults nearly everything must be acknowledged: a store refusing every write fails here.
        await AssertStoredAndSummarizedExactlyAsync(app, project.Id, load, minimumShare: 0.95);
        Assert.True(heapAfterLoad < heapAfterWarmUp + (64 << 20), $"managed heap grew from {heapAfterWarmUp >> 20} MB to {heapAfterLoad >> 20} MB");
    }

    [Fact]
    public async Task With_one_request_in_ten_to_the_store_failing_nothing_acknowledged_is_lost_and_summaries_converge_once_faults_stop()
    {
        var faults = new FaultInjectingHandler();
        await using var app = new TracewayApp()
            .WithSetting("Traceway:ChangeFeed:Enabled", "true")
            .WithSetting("Traceway:Cosmos:MaxThrottleRetrySeconds", "0")
            .WithServices(s => s.AddSingleton<RequestHandler>(faults));
        await app.InitializeAsync();
        var project = await app.CreateProjectAsync();
        var load = new LoadClient(() => app.CreateClient(project.IngestKey));
        await load.RunAsync(clients: 1, batches: 3);
        HttpStatusCode[] kinds = [HttpStatusCode.TooManyRequests, HttpStatusCode.ServiceUnavailable, HttpStatusCode.RequestTimeout];
        faults.Fault = (_, _) => Random.Shared.NextDouble() < 0.10 ? kinds[Random.Shared.Next(kinds.Length)] : null;

        await load.RunAsync(clients: 3, LoadBatches * 3 / 4);
        faults.Fault = (_, _) => null;

        Assert.Equal((3 + (LoadBatches * 3 / 4)) * 30, load.Sent);
        Assert.True(faults.Faults > 0);
        Assert.NotEmpty(load.Rejected);
        Assert.All(load.Rejected, r => Assert.True(r.Status is 503 or 429, $"{r}"));
        Assert.Equal(load.Sent, load.AcknowledgedSpans.Count + load.AcknowledgedTraces.Count + load.Rejected.Count);
        // A span needs two writes (its trace's index entry, its document): about 80% get through one fault in ten.
        await AssertStoredAndSummarizedExactlyAsync(app, project.Id, load, minimumShare: 0.5);
    }

    [Fact]
    public async Task An_app_restarted_in_the_middle_of_rollups_converges_to_the_summaries_of_what_was_acknowledged()
    {
        var database = "restart-" + Guid.NewGuid().ToString("N");
        var faults = new FaultInjectingHandler();
        var first = new TracewayApp()
            .WithSetting("Traceway:ChangeFeed:Enabled", "true")
            .WithSetting("Traceway:Cosmos:DatabaseName", database)
            .WithServices(s => s.AddSingleton<RequestHandler>(faults));
        await first.InitializeAsync();
        var project = await first.CreateProjectAsync();
        var load = new LoadClient(() => first.CreateClient(project.IngestKey));
        var stores = first.Services.GetRequiredService<TracewayStores>();

        // Half the load is rolled up completely...
        await load.RunAsync(clients: 3, LoadBatches / 4);
        Assert.True(load.AcknowledgedSpans.Count >= 0.95 * load.SentSpans, $"only {load.AcknowledgedSpans.Count} of {load.SentSpans} spans were acknowledged");
        var rolledUp = await WaitForSummariesAsync(stores, project.Id, load);
        Assert.Equal(Expected(load), rolledUp);

        // ...then every session summary write fails, so the rollups of the second half stop halfway: trace
        // summaries written, session summaries not, leases not checkpointed. The app is stopped right there.
        faults.Fault = (method, body) => method != HttpMethod.Get && body.Contains($"\"type\":\"{SessionSummary.DocumentType}\"", StringComparison.Ordinal) ? HttpStatusCode.ServiceUnavailable : null;
        await load.RunAsync(clients: 3, LoadBatches / 4);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (faults.Faults == 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        Assert.True(faults.Faults > 0, "the rollup of the second half never tried to write a session summary");
        Assert.NotEqual(Expected(load), await SessionSummariesAsync(stores, project.Id));
        await first.DisposeAsync();

        await using var second = new TracewayApp().WithSetting("Traceway:ChangeFeed:Enabled", "true").WithSetting("Traceway:Cosmos:DatabaseName", database);
        await second.InitializeAsync();

        Assert.Equal(LoadBatches / 4 * 2 * 30, load.Sent);
        await AssertStoredAndSummarizedExactlyAsync(second, project.Id, load, minimumShare: 0.95);
    }

    /// <summary>
    /// At least <paramref name="minimumShare"/> of the spans sent were acknowledged; exactly the acknowledged
    /// spans and traces are stored; every session summary equals what the ledger gives; a rebuild then finds
    /// nothing to change.
    /// </summary>
    private static async Task AssertStoredAndSummarizedExactlyAsync(TracewayApp app, string projectId, LoadClient load, double minimumShare)
    {
        Assert.True(load.AcknowledgedSpans.Count >= minimumShare * load.SentSpans, $"only {load.AcknowledgedSpans.Count} of {load.SentSpans} spans were acknowledged; at least {minimumShare:P0} must be");
        var stores = app.Services.GetRequiredService<TracewayStores>();
        var storedSpans = await QueryIdsAsync(stores, projectId, "SELECT c.traceId, c.spanId FROM c WHERE c.projectId = @p AND c.type = 'span'", s => $"{s.GetProperty("traceId").GetString()}/{s.GetProperty("spanId").GetString()}");
        var storedTraces = await QueryIdsAsync(stores, projectId, "SELECT c.traceId FROM c WHERE c.projectId = @p AND c.type = 'trace'", s => s.GetProperty("traceId").GetString()!);

        Assert.Equal(load.AcknowledgedSpans.Keys.Order(StringComparer.Ordinal), storedSpans.Order(StringComparer.Ordinal));
        Assert.Equal(load.AcknowledgedTraces.Keys.Order(StringComparer.Ordinal), storedTraces.Order(StringComparer.Ordinal));
        Assert.Equal(Expected(load), await WaitForSummariesAsync(stores, projectId, load));

        using var admin = app.CreateClient(app.AdminKey);
        using var rebuild = await admin.PostAsync(new Uri($"/api/projects/{projectId}/rebuild-summaries", UriKind.Relative), null);
        var report = JsonDocument.Parse(await rebuild.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(HttpStatusCode.OK, rebuild.StatusCode);
        Assert.Equal((0, 0), (report.GetProperty("traceSummariesWritten").GetInt32(), report.GetProperty("sessionSummariesWritten").GetInt32()));
    }

    /// <summary>Per session, from the ledger alone: traces with any acknowledged item, acknowledged spans, their tokens and cost.</summary>
    private static SortedDictionary<string, SessionTotals> Expected(LoadClient load)
    {
        var spans = load.AcknowledgedSpans.Keys.Select(k => k.Split('/')[0]).ToList();
        var traces = spans.Concat(load.AcknowledgedTraces.Keys).Distinct(StringComparer.Ordinal);
        return new(traces.GroupBy(t => LoadClient.SessionOf(t), StringComparer.Ordinal).ToDictionary(
            session => session.Key,
            session =>
            {
                var count = spans.Count(t => LoadClient.SessionOf(t) == session.Key);
                return new SessionTotals(session.Count(), count, count * LoadClient.InputTokensPerSpan, count * LoadClient.OutputTokensPerSpan, Math.Round(count * LoadClient.CostPerSpan, 6));
            }), StringComparer.Ordinal);
    }

    /// <summary>Polls the session summaries until they equal the ledger's, or 60 s pass; returns the last read.</summary>
    private static async Task<SortedDictionary<string, SessionTotals>> WaitForSummariesAsync(TracewayStores stores, string projectId, LoadClient load)
    {
        var expected = Expected(load);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        SortedDictionary<string, SessionTotals> actual;
        do
        {
            actual = await SessionSummariesAsync(stores, projectId);
            if (actual.SequenceEqual(expected))
            {
                break;
            }

            await Task.Delay(250);
        }
        while (DateTime.UtcNow < deadline);

        return actual;
    }

    private static async Task<SortedDictionary<string, SessionTotals>> SessionSummariesAsync(TracewayStores stores, string projectId)
    {
        var query = new QueryDefinition($"SELECT c.sessionId, c.traceCount, c.spanCount, c.inputTokens, c.outputTokens, c.totalCost FROM c WHERE c.projectId = @p AND c.type = '{SessionSummary.DocumentType}'").WithParameter("@p", projectId);
        var summaries = new SortedDictionary<string, SessionTotals>(StringComparer.Ordinal);
        using var iterator = stores.Summaries.GetItemQueryIterator<JsonElement>(query);
        while (iterator.HasMoreResults)
        {
            foreach (var s in await iterator.ReadNextAsync())
            {
                summaries[s.GetProperty("sessionId").GetString()!] = new SessionTotals(
                    s.GetProperty("traceCount").GetInt32(), s.GetProperty("spanCount").GetInt32(), s.GetProperty("inputTokens").GetInt64(), s.GetProperty("outputTokens").GetInt64(), Math.Round(s.GetProperty("totalCost").GetDouble(), 6));
            }
        }

        return summaries;
    }

    private static async Task<List<string>> QueryIdsAsync(TracewayStores stores, string projectId, string sql, Func<JsonElement, string> id)
    {
        var ids = new List<string>();
        using var iterator = stores.Traces.GetItemQueryIterator<JsonElement>(new QueryDefinition(sql).WithParameter("@p", projectId));
        while (iterator.HasMoreResults)
        {
            ids.AddRange((await iterator.ReadNextAsync()).Select(id));
        }

        return ids;
    }

    private static int Setting(string variable, int defaultValue) =>
        int.Parse(Environment.GetEnvironmentVariable(variable) ?? defaultValue.ToString(System.Globalization.CultureInfo.InvariantCulture), System.Globalization.CultureInfo.InvariantCulture);

    private static long ManagedHeapAfterCollection()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        return GC.GetTotalMemory(forceFullCollection: true);
    }
}

/// <summary>What a session summary says about volume, or what the ledger says it must.</summary>
internal sealed record SessionTotals(int TraceCount, int SpanCount, long InputTokens, long OutputTokens, double TotalCost);
