using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace Traceway.Benchmarks;

/// <summary>
/// Per-project ingest limits (issue 17): project A, limited to 20 spans/s, sends as fast as one client can while
/// project B sends ordinary turns one at a time; B's p95 request latency beside the flood is compared with its p95
/// alone, the two alternating in the same run so that a slow moment of the shared machine hits both.
/// </summary>
internal static class IsolationBenchmark
{
    private const string Database = "bench-isolation";
    private const int Rounds = 5;
    private const int SamplesPerPhase = 40;

    public static async Task RunAsync(BenchmarkSettings settings, LocalEmulators emulators, BenchmarkReport report)
    {
        await using var app = await BenchmarkApp.StartAsync(settings.Root, emulators, Database, changeFeed: false);
        var flooder = await app.CreateProjectAsync("bench-flooder");
        var steady = await app.CreateProjectAsync("bench-steady");
        using (var admin = app.Client(app.AdminKey))
        using (var limit = new StringContent("""{"ingestLimit":{"spansPerSecond":20,"burst":40}}""", Encoding.UTF8, "application/json"))
        using (var patched = await admin.PatchAsync(new Uri($"/api/projects/{flooder.Id}", UriKind.Relative), limit))
        {
            patched.EnsureSuccessStatusCode();
        }

        using var steadyClient = app.Client(steady.IngestKey);
        using var floodClient = app.Client(flooder.IngestKey);
        var generator = new TraceGenerator("isolation", seed: 7);
        await MeasureAsync(steadyClient, generator, 10); // warm-up: JIT, connections

        var solo = new List<double>();
        var beside = new List<double>();
        var flood = new FloodResult();
        for (var round = 0; round < Rounds; round++)
        {
            solo.AddRange(await MeasureAsync(steadyClient, generator, SamplesPerPhase));
            using var stop = new CancellationTokenSource();
            var flooding = FloodAsync(floodClient, new TraceGenerator($"flood-{round}", seed: round), flood, stop.Token);
            beside.AddRange(await MeasureAsync(steadyClient, generator, SamplesPerPhase));
            await stop.CancelAsync();
            await flooding;
        }

        var soloP95 = Percentiles.Of(solo, 0.95);
        var besideP95 = Percentiles.Of(beside, 0.95);
        report.AddLatency("Isolation: B's request latency alone (4-span turns, one at a time)", solo);
        report.AddLatency("Isolation: B's request latency beside A's flood (A limited to 20 spans/s, one client as fast as it can)", beside);
        report.Add("Isolation: B's p95 beside the flood / alone", besideP95 / soloP95, "", "≤ 1.5", besideP95 <= 1.5 * soloP95);
        report.AddText("Isolation: A's requests refused (429) / sent", $"{flood.Refused:N0} / {flood.Sent:N0} in {flood.Seconds:0.0} s", "");
        report.Details["isolation"] = new { soloP95, besideP95, flood.Sent, flood.Refused, flood.Seconds };
    }

    private static async Task<List<double>> MeasureAsync(HttpClient client, TraceGenerator generator, int samples)
    {
        var latencies = new List<double>(samples);
        for (var i = 0; i < samples; i++)
        {
            var started = Stopwatch.GetTimestamp();
            await IngestBenchmark.PostAsync(client, [generator.Next($"steady-{i % 10}", spans: 4)]);
            latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }

        return latencies;
    }

    private static async Task FloodAsync(HttpClient client, TraceGenerator generator, FloodResult result, CancellationToken stop)
    {
        // Bodies made before the clock starts: the flood costs the app its refusals, not this process its serializing.
        var bodies = Enumerable.Range(0, 2000).Select(i => IngestRequest.Serialize([generator.Next($"flood-{i % 50}", spans: 10)])).ToList();
        var clock = Stopwatch.StartNew();
        for (var i = 0; !stop.IsCancellationRequested; i++)
        {
            using var content = new ByteArrayContent(bodies[i % bodies.Count]);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            using var response = await client.PostAsync(new Uri("/api/ingest", UriKind.Relative), content, CancellationToken.None);
            result.Sent++;
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                result.Refused++;
            }
        }

        result.Seconds += clock.Elapsed.TotalSeconds;
    }

    private sealed class FloodResult
    {
        public long Sent { get; set; }

        public long Refused { get; set; }

        public double Seconds { get; set; }
    }
}
