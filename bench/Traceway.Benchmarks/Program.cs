using System.Diagnostics;
using System.Globalization;
using Traceway.Benchmarks;

// Measures Traceway on the local emulators (the store is the npm Cosmos DB emulator, not Azure) and prints one table,
// also written to artifacts/benchmark.json. Run by ./bench.sh; options in BenchmarkSettings.
var settings = BenchmarkSettings.Parse(args);
var run = Stopwatch.StartNew();
var report = new BenchmarkReport();

await using (var emulators = await LocalEmulators.StartAsync())
{
    using var cosmos = emulators.CreateCosmosClient();

    // One phase at a time, each with its own app process and database, so they do not share CPU or emulator scans.
    double? maxIngestRate = null;
    if (settings.Runs("ingest"))
    {
        maxIngestRate = await IngestBenchmark.RunAsync(settings, emulators, cosmos, report);
    }

    if (settings.Runs("otlp"))
    {
        await OtlpIngestBenchmark.RunAsync(settings, emulators, cosmos, report);
    }

    if (settings.Runs("isolation"))
    {
        await IsolationBenchmark.RunAsync(settings, emulators, report);
    }

    // On emulators of its own (with their request log on), while these idle.
    if (settings.Runs("requests"))
    {
        await RequestCountBenchmark.RunAsync(settings, report);
    }

    if (settings.Runs("lag"))
    {
        await ChangeFeedLagBenchmark.RunAsync(settings, emulators, cosmos, report);
    }

    if (settings.Runs("sessions"))
    {
        await SessionQueryBenchmark.RunAsync(settings, emulators, cosmos, report);
    }

    // Issue 12: one project's huge trace against another's lag (on emulators of its own, request log on) ...
    if (settings.Runs("bigtrace"))
    {
        await BigTraceBenchmark.RunAsync(settings, report);
    }

    // ... and lag and ingest rate under sustained load near the maximum.
    if (settings.Runs("sustained"))
    {
        await SustainedLoadBenchmark.RunAsync(settings, emulators, cosmos, maxIngestRate, report);
    }
}

var date = DateTime.UtcNow.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
var machine = $"{Environment.ProcessorCount} cores, {Cpu()}, {Environment.OSVersion}";
report.Print(Console.Out, date, machine, run.Elapsed);
await report.WriteJsonAsync(Path.Combine(settings.Root, "artifacts", "benchmark.json"), date, machine, run.Elapsed, settings);

static string Cpu() =>
    File.Exists("/proc/cpuinfo")
        ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown CPU"
        : "unknown CPU";
