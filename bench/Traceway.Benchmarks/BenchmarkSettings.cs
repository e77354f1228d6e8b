using System.Globalization;

namespace Traceway.Benchmarks;

/// <summary>
/// What to run, from the command line (<c>--name value</c>). The defaults take about ten minutes on two cores,
/// build included; <c>--phases</c> picks a subset.
/// </summary>
internal sealed record BenchmarkSettings
{
    public string Root { get; init; } = Directory.GetCurrentDirectory();

    /// <summary>Concurrent writers on each side: HTTP clients for Traceway, SDK workers for the baseline.</summary>
    public int Writers { get; init; } = 8;

    public int TracesPerRequest { get; init; } = 4;

    /// <summary>Measured seconds per side, split into <see cref="Rounds"/> alternating windows.</summary>
    public int IngestSeconds { get; init; } = 24;

    public int Rounds { get; init; } = 4;

    public int WarmUpSeconds { get; init; } = 3;

    public int LagSamples { get; init; } = 100;

    public int LatencySamples { get; init; } = 30;

    /// <summary>The session counts at which list and replay latency are measured.</summary>
    public IReadOnlyList<int> SessionCounts { get; init; } = [1_000, 10_000];

    /// <summary>The big-trace phase (issue 12): one trace of this many spans...</summary>
    public int BigTraceSpans { get; init; } = 12_000;

    /// <summary>...sent in this many requests (at most 1,000 spans each with the defaults).</summary>
    public int BigTraceRequests { get; init; } = 13;

    /// <summary>The sustained phase (issue 12): measured seconds of paced ingestion with the change feed on...</summary>
    public int SustainedSeconds { get; init; } = 60;

    /// <summary>...at this percentage of the maximum ingest rate (the ingest phase's, or its own warm-up's).</summary>
    public int SustainedLoadPercent { get; init; } = 80;

    /// <summary>The app's <c>Traceway:ChangeFeed:MaxItemsPerBatch</c> in the phases with the change feed on; null keeps the app's default.</summary>
    public int? MaxItemsPerBatch { get; init; }

    /// <summary>
    /// Which measurements to run: <c>ingest</c>, <c>otlp</c>, <c>isolation</c>, <c>requests</c>, <c>lag</c>, <c>sessions</c>, <c>bigtrace</c>,
    /// <c>sustained</c> (all by default).
    /// </summary>
    public IReadOnlyList<string> Phases { get; init; } = ["ingest", "otlp", "isolation", "requests", "lag", "sessions", "bigtrace", "sustained"];

    public bool Runs(string phase) => Phases.Contains(phase, StringComparer.Ordinal);

    public static BenchmarkSettings Parse(string[] args)
    {
        string? Value(string name) => args.SkipWhile(a => a != "--" + name).Skip(1).FirstOrDefault();
        int Number(string name, int fallback) => Value(name) is { } text ? int.Parse(text, CultureInfo.InvariantCulture) : fallback;
        var defaults = new BenchmarkSettings();
        return new BenchmarkSettings
        {
            Root = Value("root") ?? defaults.Root,
            Writers = Number("writers", defaults.Writers),
            TracesPerRequest = Number("traces-per-request", defaults.TracesPerRequest),
            IngestSeconds = Number("ingest-seconds", defaults.IngestSeconds),
            Rounds = Number("rounds", defaults.Rounds),
            WarmUpSeconds = Number("warm-up-seconds", defaults.WarmUpSeconds),
            LagSamples = Number("lag-samples", defaults.LagSamples),
            LatencySamples = Number("latency-samples", defaults.LatencySamples),
            SessionCounts = Value("sessions") is { } counts
                ? [.. counts.Split(',').Select(c => int.Parse(c, CultureInfo.InvariantCulture))]
                : defaults.SessionCounts,
            BigTraceSpans = Number("bigtrace-spans", defaults.BigTraceSpans),
            BigTraceRequests = Number("bigtrace-requests", defaults.BigTraceRequests),
            SustainedSeconds = Number("sustained-seconds", defaults.SustainedSeconds),
            SustainedLoadPercent = Number("sustained-load-percent", defaults.SustainedLoadPercent),
            MaxItemsPerBatch = Value("max-items-per-batch") is { } items ? int.Parse(items, CultureInfo.InvariantCulture) : null,
            Phases = Value("phases")?.Split(',') ?? defaults.Phases,
        };
    }
}
