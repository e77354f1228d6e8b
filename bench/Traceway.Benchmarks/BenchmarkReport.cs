using System.Globalization;
using System.Text.Json;

namespace Traceway.Benchmarks;

/// <summary>The measured values as one markdown table (printed) and as JSON (artifacts/benchmark.json).</summary>
internal sealed class BenchmarkReport
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    private readonly List<Row> _rows = [];

    public string Workload { get; set; } = "";

    /// <summary>Raw counts behind the table, for the JSON only.</summary>
    public Dictionary<string, object> Details { get; } = new(StringComparer.Ordinal);

    public void Add(string measure, double value, string unit, string? goal = null, bool? met = null) =>
        _rows.Add(new Row(measure, Format(value), Math.Round(value, 3), unit, goal, met));

    public void AddText(string measure, string text, string unit) =>
        _rows.Add(new Row(measure, text, text, unit, null, null));

    /// <summary>A latency as "p50 / p95 (n = samples)".</summary>
    public void AddLatency(string measure, IReadOnlyList<double> milliseconds) =>
        _rows.Add(new Row(measure, $"{Percentiles.Format(milliseconds)} (n = {milliseconds.Count})", new { p50 = Percentiles.Of(milliseconds, 0.50), p95 = Percentiles.Of(milliseconds, 0.95), samples = milliseconds.Count }, "ms p50 / p95", null, null));

    public void Print(TextWriter output, string date, string machine, TimeSpan duration)
    {
        output.WriteLine();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Traceway benchmark, {date}, {machine}; store: the local Cosmos DB emulator (npm), not Azure; run took {duration.TotalSeconds:0} s."));
        output.WriteLine($"Ingest workload: {Workload}.");
        output.WriteLine();
        output.WriteLine("| measure | value | unit | goal |");
        output.WriteLine("| --- | ---: | --- | --- |");
        foreach (var row in _rows)
        {
            var goal = row.Goal is null ? "" : $"{row.Goal} {(row.Met == true ? "(met)" : "(missed)")}";
            output.WriteLine($"| {row.Measure} | {row.Text} | {row.Unit} | {goal} |");
        }
    }

    public async Task WriteJsonAsync(string path, string date, string machine, TimeSpan duration, BenchmarkSettings settings)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var json = new
        {
            date,
            machine,
            store = "local Cosmos DB emulator (@vercel/cosmosdb-server, patched) and Azurite, not Azure",
            durationSeconds = Math.Round(duration.TotalSeconds, 1),
            settings,
            workload = Workload,
            measures = _rows.Select(r => new { measure = r.Measure, value = r.Json, unit = r.Unit, goal = r.Goal, met = r.Met }),
            details = Details,
        };
        await File.WriteAllTextAsync(path, JsonSerializer.Serialize(json, Json));
    }

    private static string Format(double value) => value switch
    {
        >= 100 => value.ToString("#,0", CultureInfo.InvariantCulture),
        >= 10 => value.ToString("0.0", CultureInfo.InvariantCulture),
        _ => value.ToString("0.00", CultureInfo.InvariantCulture),
    };

    private sealed record Row(string Measure, string Text, object Json, string Unit, string? Goal, bool? Met);
}

internal static class Percentiles
{
    /// <summary>The nearest-rank percentile.</summary>
    public static double Of(IReadOnlyList<double> values, double p)
    {
        if (values.Count == 0)
        {
            return double.NaN;
        }

        var sorted = values.Order().ToList();
        return Math.Round(sorted[(int)Math.Clamp(Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)], 1);
    }

    public static string Format(IReadOnlyList<double> values) =>
        string.Create(CultureInfo.InvariantCulture, $"{Of(values, 0.50):0.#} / {Of(values, 0.95):0.#}");
}
