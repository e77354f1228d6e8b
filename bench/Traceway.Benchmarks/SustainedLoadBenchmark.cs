using System.Diagnostics;
using System.Text.Json;
using Microsoft.Azure.Cosmos;
using Traceway.Documents;
using Traceway.Rollups;
using Traceway.Storage;

namespace Traceway.Benchmarks;

/// <summary>
/// Issue 12's sustained case: <see cref="BenchmarkSettings.SustainedSeconds"/> of ingestion paced at
/// <see cref="BenchmarkSettings.SustainedLoadPercent"/> % of the measured maximum ingest rate (ordinary 5–20-span turns,
/// most sessions of four turns, two long sessions seeded with 500 turns that get a turn in every request), with the
/// change feed processor on. Meanwhile a probe of another project sends one ordinary turn at a time and waits for its
/// session summary: the summary lag p50/p95/max and the acknowledged ingest rate are reported per 10-second window.
/// </summary>
internal static class SustainedLoadBenchmark
{
    private const string Database = "bench-sustained";
    private const int LongSessions = 2;
    private const int WindowSeconds = 10;
    private const int SeededTurns = 500;

    /// <param name="maxRate">The ingest phase's Traceway rate (spans/s), or null to measure it here first.</param>
    public static async Task RunAsync(BenchmarkSettings settings, LocalEmulators emulators, CosmosClient cosmos, double? maxRate, BenchmarkReport report)
    {
        await using var app = await BenchmarkApp.StartAsync(settings.Root, emulators, Database, changeFeed: true, settings.MaxItemsPerBatch);
        var load = await app.CreateProjectAsync("bench-sustained");
        var probeProject = await app.CreateProjectAsync("bench-sustained-probe");
        using var http = app.Client(load.IngestKey);
        using var probeHttp = app.Client(probeProject.IngestKey);
        var summaries = cosmos.GetContainer(Database, CosmosSchema.Summaries);
        Task Traceway(IReadOnlyList<GeneratedTrace> batch) => IngestBenchmark.PostAsync(http, batch);

        // Warm-up (not counted), which also measures the maximum when the ingest phase did not run.
        var warmUp = await IngestLoad.RunAsync("warm-sustained", settings.Writers, settings.TracesPerRequest, TimeSpan.FromSeconds(Math.Max(settings.WarmUpSeconds, 5)), Traceway);
        var max = maxRate ?? warmUp.SpansPerSecond;

        // The long sessions start with 500 turns (5 spans each), written with the SDK as the app writes them and rolled
        // up by the processor before the clock starts, so every turn they get while measured is past the 500th.
        var seeder = new BaselineWriter(cosmos, Database, load.Id);
        var seedGenerator = new TraceGenerator("sustained-seed", seed: 500);
        var seedBatches = Enumerable.Range(0, LongSessions)
            .SelectMany(session => Enumerable.Range(0, SeededTurns).Select(_ => seedGenerator.Next($"long-{session}", spans: 5)))
            .Chunk(25)
            .ToList();
        await Parallel.ForEachAsync(seedBatches, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (batch, _) => await seeder.WriteAsync(batch));
        var seeded = Stopwatch.StartNew();
        for (var session = 0; session < LongSessions; session++)
        {
            var pk = new PartitionKey(DocumentKeys.SessionPartitionKey(load.Id, $"long-{session}"));
            while (seeded.Elapsed < TimeSpan.FromSeconds(180))
            {
                using var read = await summaries.ReadItemStreamAsync(SessionSummary.DocumentId, pk);
                if (read.IsSuccessStatusCode && JsonDocument.Parse(read.Content).RootElement.GetProperty("traceCount").GetInt32() >= SeededTurns)
                {
                    break;
                }

                await Task.Delay(100);
            }
        }

        var target = max * settings.SustainedLoadPercent / 100.0;
        // Let the processor drain the warm-up before the clock starts.
        var probeGenerator = new TraceGenerator("sustained-probe", seed: 60);
        var probe = 0;
        for (var i = 0; i < 4; i++, probe++)
        {
            await BigTraceBenchmark.ProbeAsync(probeHttp, summaries, probeProject.Id, probeGenerator, probe, () => { });
        }

        var windows = (int)Math.Ceiling(settings.SustainedSeconds / (double)WindowSeconds);
        var windowSpans = new long[windows];
        var windowLags = Enumerable.Range(0, windows).Select(_ => new List<double>()).ToArray();
        var longTurns = Enumerable.Repeat(SeededTurns, LongSessions).ToArray();
        var scheduledSpans = 0L;
        var started = Stopwatch.GetTimestamp();
        var closes = TimeSpan.FromSeconds(settings.SustainedSeconds);
        int Window(TimeSpan at) => Math.Clamp((int)(at.TotalSeconds / WindowSeconds), 0, windows - 1);

        var writers = Enumerable.Range(0, settings.Writers).Select(writer => Task.Run(async () =>
        {
            var generator = new TraceGenerator($"sustained-{Guid.NewGuid():N}", seed: writer);
            for (var batchNumber = 0; Stopwatch.GetElapsedTime(started) < closes; batchNumber++)
            {
                // One turn of a long session per request, the others in sessions of four turns.
                var longSession = (writer + batchNumber) % LongSessions;
                var batch = new List<GeneratedTrace> { generator.Next($"long-{longSession}") };
                batch.AddRange(Enumerable.Range(1, settings.TracesPerRequest - 1)
                    .Select(i => generator.Next($"w{writer}-c{((batchNumber * (settings.TracesPerRequest - 1)) + i) / 4}")));
                var spans = batch.Sum(t => t.Spans.Count);

                // Paced, open loop: each request has its slot at the target rate; a slow app makes the rate fall.
                var due = TimeSpan.FromSeconds(Interlocked.Add(ref scheduledSpans, spans) / target);
                var wait = due - Stopwatch.GetElapsedTime(started);
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait);
                }

                if (Stopwatch.GetElapsedTime(started) >= closes)
                {
                    break;
                }

                await Traceway(batch);
                var acknowledged = Stopwatch.GetElapsedTime(started);
                if (acknowledged < closes)
                {
                    Interlocked.Add(ref windowSpans[Window(acknowledged)], spans);
                    Interlocked.Increment(ref longTurns[longSession]);
                }
            }
        })).ToList();

        var probing = Task.Run(async () =>
        {
            while (Stopwatch.GetElapsedTime(started) < closes)
            {
                var sent = Stopwatch.GetElapsedTime(started);
                var (lag, _) = await BigTraceBenchmark.ProbeAsync(probeHttp, summaries, probeProject.Id, probeGenerator, probe++, () => { });
                lock (windowLags)
                {
                    windowLags[Window(sent)].Add(lag);
                }
            }
        });

        await Task.WhenAll(writers);
        await probing;

        var rates = windowSpans.Select(s => s / (double)WindowSeconds).ToArray();
        var details = new List<object>();
        var allLags = windowLags.SelectMany(l => l).ToList();
        var worstP95 = 0.0;
        for (var w = 0; w < windows; w++)
        {
            var lags = windowLags[w];
            var p95 = lags.Count > 0 ? Percentiles.Of(lags, 0.95) : double.NaN;
            worstP95 = Math.Max(worstP95, double.IsNaN(p95) ? double.PositiveInfinity : p95);
            report.AddText(
                $"Sustained load, {w * WindowSeconds}–{(w + 1) * WindowSeconds} s: summary lag p50 / p95 / max (n); acknowledged ingest rate",
                lags.Count > 0
                    ? $"{Percentiles.Of(lags, 0.50):0} / {p95:0} / {lags.Max():0} (n = {lags.Count}); {rates[w]:#,0} spans/s"
                    : $"no probe sent (the previous one still waiting); {rates[w]:#,0} spans/s",
                "ms; spans/s");
            details.Add(new { window = w, lagsMs = lags, spansPerSecond = rates[w] });
        }

        var ratio = rates[0] > 0 ? rates[^1] / rates[0] : 0;
        report.Add($"Sustained load: target rate ({settings.SustainedLoadPercent} % of {max:#,0} spans/s measured {(maxRate is null ? "in the warm-up" : "by the ingest phase")})", target, "spans/s");
        report.Add($"Sustained load: acknowledged rate over {settings.SustainedSeconds} s", windowSpans.Sum() / (double)settings.SustainedSeconds, "spans/s", $"≥ {target:#,0}", windowSpans.Sum() / (double)settings.SustainedSeconds >= target * 0.99);
        report.Add("Sustained load: rate of the last 10 s / first 10 s", ratio, "", "0.9–1.1", ratio is >= 0.9 and <= 1.1);
        report.AddText("Sustained load: summary lag over the whole run", $"{Percentiles.Of(allLags, 0.50):0} / {Percentiles.Of(allLags, 0.95):0} / {(allLags.Count > 0 ? allLags.Max() : double.NaN):0} (n = {allLags.Count})", "ms p50 / p95 / max");
        // A window without a probe sent is one where the previous probe's lag spanned it: it counts as missed.
        // (Infinity is not valid JSON: with no probe at all, the probe's timeout stands in.)
        var worstMax = allLags.Count > 0 ? allLags.Max() : 60_000;
        report.Add(
            double.IsPositiveInfinity(worstP95) ? "Sustained load: worst 10-s window's lag p95 (some windows had no probe sent; the run's max instead)" : "Sustained load: worst 10-s window's lag p95",
            double.IsPositiveInfinity(worstP95) ? worstMax : worstP95, "ms", "≤ 1,000", worstP95 <= 1000);
        report.Add($"Sustained load: turns in the longest session ({SeededTurns} seeded before the clock started)", longTurns.Max(), "turns", "> 500", longTurns.Max() > 500);
        report.Add("Sustained load: seeded long sessions rolled up in", seeded.Elapsed.TotalSeconds, "s");
        report.Details["sustained"] = new { max, target, windows = details, longTurns };
    }
}
