using System.Net;
using System.Net.Http.Headers;
using Microsoft.Azure.Cosmos;

namespace Traceway.Benchmarks;

/// <summary>
/// Ingest throughput through <c>POST /api/ingest</c> against the baseline (the raw SDK writing the same documents
/// with the same concurrency), the CPU each process spends per span, and the app's peak memory meanwhile. The two
/// sides take turns in equal windows, so a slow moment of the shared machine hits both alike. The change feed
/// processor is off here: rollups are measured by the change-feed lag, and the baseline has none.
/// </summary>
internal static class IngestBenchmark
{
    private const string Database = "bench-ingest";

    /// <returns>Traceway's measured ingest rate (spans/s), the maximum the sustained phase paces against.</returns>
    public static async Task<double> RunAsync(BenchmarkSettings settings, LocalEmulators emulators, CosmosClient cosmos, BenchmarkReport report)
    {
        await using var app = await BenchmarkApp.StartAsync(settings.Root, emulators, Database, changeFeed: false);
        var project = await app.CreateProjectAsync("bench-ingest");
        using var http = app.Client(project.IngestKey);
        var baseline = new BaselineWriter(cosmos, Database, "baseline-" + Guid.NewGuid().ToString("N"));
        Task Traceway(IReadOnlyList<GeneratedTrace> batch) => PostAsync(http, batch);

        await using var memory = MemorySampler.Start(app.ProcessId);

        // Warm-up, not counted: JIT, connection pools, the app's key cache.
        var warmUp = TimeSpan.FromSeconds(settings.WarmUpSeconds);
        await IngestLoad.RunAsync("warm-traceway", settings.Writers, settings.TracesPerRequest, warmUp, Traceway);
        await IngestLoad.RunAsync("warm-baseline", settings.Writers, settings.TracesPerRequest, warmUp, baseline.WriteAsync);

        var traceway = new LoadResult();
        var direct = new LoadResult();
        var tracewayCpu = new CpuTime(new Dictionary<string, IReadOnlyList<int>> { ["emulator"] = emulators.ProcessIds, ["app"] = [app.ProcessId], ["benchmark"] = [Environment.ProcessId] });
        var baselineCpu = new CpuTime(new Dictionary<string, IReadOnlyList<int>> { ["emulator"] = emulators.ProcessIds, ["benchmark"] = [Environment.ProcessId] });
        var window = TimeSpan.FromSeconds((double)settings.IngestSeconds / settings.Rounds);
        for (var round = 0; round < settings.Rounds; round++)
        {
            traceway.Add(await tracewayCpu.MeasureAsync(() => IngestLoad.RunAsync("traceway", settings.Writers, settings.TracesPerRequest, window, Traceway)));
            direct.Add(await baselineCpu.MeasureAsync(() => IngestLoad.RunAsync("baseline", settings.Writers, settings.TracesPerRequest, window, baseline.WriteAsync)));
        }

        var sample = StoredTurn.From(project.Id, new TraceGenerator("size", 1).Next("size"));
        report.Workload = $"{settings.Writers} concurrent writers per side, {settings.TracesPerRequest} turns per batch (one POST, or one batch of SDK creates), "
            + $"5–20 spans per turn (span document ≈ {sample.Spans.Average(StoredTurn.Bytes):0} B); {settings.Rounds} alternating windows of {window.TotalSeconds:0.#} s per side";

        report.Add("Ingest throughput, Traceway (POST /api/ingest)", traceway.SpansPerSecond, "spans/s");
        report.Add("Ingest throughput, baseline (raw SDK, same documents, same concurrency)", direct.SpansPerSecond, "spans/s");
        var ratio = traceway.SpansPerSecond / direct.SpansPerSecond;
        report.Add("Ingest throughput ratio (Traceway / baseline)", ratio, "", "≥ 0.8", ratio >= 0.8);
        report.AddLatency("Batch latency, Traceway (one POST)", traceway.BatchMs);
        report.AddLatency("Batch latency, baseline (the same documents)", direct.BatchMs);
        report.AddText("CPU per 1,000 spans, Traceway", tracewayCpu.Describe(traceway.Spans, 1000), "ms");
        report.AddText("CPU per 1,000 spans, baseline", baselineCpu.Describe(direct.Spans, 1000), "ms");
        report.Add("App peak memory during the ingest run (VmRSS sampled every 20 ms)", memory.PeakRssBytes / 1048576.0, "MiB");
        report.Add("App memory high-water mark (VmHWM over the app's life)", memory.HighWaterMarkBytes / 1048576.0, "MiB");

        report.Details["ingest"] = new
        {
            traceway = new { traceway.Traces, traceway.Spans, seconds = traceway.Elapsed.TotalSeconds, cpuMsPer1000Spans = tracewayCpu.PerUnit(traceway.Spans, 1000) },
            baseline = new { direct.Traces, direct.Spans, seconds = direct.Elapsed.TotalSeconds, cpuMsPer1000Spans = baselineCpu.PerUnit(direct.Spans, 1000) },
        };
        return traceway.SpansPerSecond;
    }

    internal static async Task PostAsync(HttpClient http, IReadOnlyList<GeneratedTrace> batch)
    {
        using var content = new ByteArrayContent(IngestRequest.Serialize(batch));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await http.PostAsync(new Uri("/api/ingest", UriKind.Relative), content);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"POST /api/ingest answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
    }
}
