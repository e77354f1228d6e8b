using Microsoft.Azure.Cosmos;
using Traceway.Storage;

namespace Traceway.Benchmarks;

/// <summary>
/// Cosmos requests per ingested span, for Traceway and for the baseline, counted where they arrive: in the
/// emulator's request log. It runs on emulators of its own with the log on, because the log slows the emulator.
/// Goals: one write per new trace or span document, one trace-index write per new trace, no reads.
/// </summary>
internal static class RequestCountBenchmark
{
    private const string Database = "bench-requests";
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(4);

    public static async Task RunAsync(BenchmarkSettings settings, BenchmarkReport report)
    {
        await using var emulators = await LocalEmulators.StartAsync(logRequests: true);
        using var cosmos = emulators.CreateCosmosClient();
        var requestLog = new CosmosRequestLog(emulators.RequestLog!);
        await using var app = await BenchmarkApp.StartAsync(settings.Root, emulators, Database, changeFeed: false);
        var project = await app.CreateProjectAsync("bench-requests");
        using var http = app.Client(project.IngestKey);
        var baseline = new BaselineWriter(cosmos, Database, "baseline-" + Guid.NewGuid().ToString("N"));
        Task Traceway(IReadOnlyList<GeneratedTrace> batch) => IngestBenchmark.PostAsync(http, batch);

        // The first request looks the key up and fills caches; the steady state is what is counted.
        await IngestLoad.RunAsync("warm-traceway", settings.Writers, settings.TracesPerRequest, TimeSpan.FromSeconds(1), Traceway);
        await IngestLoad.RunAsync("warm-baseline", settings.Writers, settings.TracesPerRequest, TimeSpan.FromSeconds(1), baseline.WriteAsync);

        var tracewayRequests = new RequestTally();
        var baselineRequests = new RequestTally();
        var traceway = await requestLog.CountAsync(cosmos, tracewayRequests,
            () => IngestLoad.RunAsync("traceway", settings.Writers, settings.TracesPerRequest, Window, Traceway));
        var direct = await requestLog.CountAsync(cosmos, baselineRequests,
            () => IngestLoad.RunAsync("baseline", settings.Writers, settings.TracesPerRequest, Window, baseline.WriteAsync));

        Add(report, "Traceway", tracewayRequests, traceway);
        Add(report, "baseline", baselineRequests, direct);
        report.Details["requests"] = new
        {
            traceway = new { traceway.Traces, traceway.Spans, requests = tracewayRequests.ByKind(), statuses = tracewayRequests.ByStatus() },
            baseline = new { direct.Traces, direct.Spans, requests = baselineRequests.ByKind(), statuses = baselineRequests.ByStatus() },
        };
    }

    private static void Add(BenchmarkReport report, string side, RequestTally requests, LoadResult stored)
    {
        var documents = stored.Traces + stored.Spans;
        var documentWrites = requests.Count((container, operation) =>
            container == CosmosSchema.Traces && operation is CosmosOperation.Create or CosmosOperation.Replace or CosmosOperation.Upsert);
        var indexWrites = requests.Count(CosmosSchema.TraceIndex, CosmosOperation.Create);
        var reads = requests.Count((_, operation) => operation is CosmosOperation.Read or CosmosOperation.Query or CosmosOperation.QueryPlan);
        report.Add($"Cosmos requests per ingested span, {side} ({stored.Spans:#,0} spans, {stored.Traces:#,0} traces)", requests.Total / (double)stored.Spans, "requests");
        report.Add($"Writes per new trace/span document, {side}", documentWrites / (double)documents, "writes", "≤ 1", documentWrites <= documents);
        report.Add($"Trace-index writes per new trace, {side}", indexWrites / (double)stored.Traces, "writes", "≤ 1", indexWrites <= stored.Traces);
        report.Add($"Reads (point reads and queries, any container), {side}", reads, "reads", "0", reads == 0);
    }
}
