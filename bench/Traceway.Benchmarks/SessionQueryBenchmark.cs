using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Azure.Cosmos;
using Traceway.Hosting;
using Traceway.Rollups;
using Traceway.Sessions;
using Traceway.Storage;

namespace Traceway.Benchmarks;

/// <summary>
/// Latency of the two dashboard reads as a project grows: the session list (three filters, 50 per page) and
/// the replay of a 100-turn session, at each session count (1,000 then 10,000). Sessions are ingested through
/// the API; their summaries are written by <see cref="SeededSummaries"/>, checked once against the rebuild endpoint.
/// </summary>
internal static class SessionQueryBenchmark
{
    private const string Database = "bench-sessions";
    private const string ReplaySession = "replay-100-turns";
    private const int ReplayTurns = 100;
    // Enough for the JIT to promote the hot paths (tiered compilation) before anything is measured.
    private const int WarmUpCalls = 10;
    private static readonly TimeSpan MaxSampling = TimeSpan.FromSeconds(25);
    private const string ListQuery = "/api/sessions?status=ok&model=gpt-4o&tag=prod&limit=50";
    private static readonly Uri Replay = new($"/api/sessions/{ReplaySession}/replay?limit={ReplayTurns}", UriKind.Relative);

    public static async Task RunAsync(BenchmarkSettings settings, LocalEmulators emulators, CosmosClient cosmos, BenchmarkReport report)
    {
        await using var app = await BenchmarkApp.StartAsync(settings.Root, emulators, Database, changeFeed: false);
        var project = await app.CreateProjectAsync("bench-sessions");
        using var ingest = app.Client(project.IngestKey);
        using var read = app.Client(project.ReadKey);
        using var admin = app.Client(app.AdminKey);
        var summaries = new SeededSummaries(cosmos, Database, project.Id);
        var sessionSummaries = cosmos.GetContainer(Database, CosmosSchema.Summaries);
        var listParameters = new QueryCollection(QueryHelpers.ParseQuery(ListQuery[ListQuery.IndexOf('?', StringComparison.Ordinal)..]));
        var listQuery = (Query<SessionListQuery>.Read(listParameters).IsValid(out var listFilter, out _) ? listFilter : throw new InvalidOperationException(ListQuery)).ToQuery(project.Id);

        // The long conversation, realistic turns of 5–20 spans.
        var generator = new TraceGenerator("replay", seed: 100);
        var conversation = Enumerable.Range(0, ReplayTurns).Select(_ => generator.Next(ReplaySession)).ToList();
        foreach (var batch in conversation.Chunk(10))
        {
            await PostAsync(ingest, batch);
        }

        await summaries.WriteAsync(conversation);

        // Every other session: one short turn (an agent span and two steps), enough to be listed and filtered.
        var sessions = new TraceGenerator("session", seed: 200);
        var seeded = 1;
        var timings = new Dictionary<string, object>(StringComparer.Ordinal);
        foreach (var target in settings.SessionCounts)
        {
            var seeding = Stopwatch.StartNew();
            var added = Enumerable.Range(seeded, Math.Max(0, target - seeded)).Select(n => sessions.Next($"session-{n}", spans: 3)).ToList();
            await Parallel.ForEachAsync(added.Chunk(200), new ParallelOptions { MaxDegreeOfParallelism = 2 }, async (batch, _) => await PostAsync(ingest, batch));
            var ingested = seeding.Elapsed;
            await summaries.WriteAsync(added);
            var summarized = seeding.Elapsed - ingested;
            seeded = Math.Max(seeded, target);

            // Once, at the smallest size: the app's rebuild must agree with every summary written directly.
            object? rebuild = null;
            if (target == settings.SessionCounts[0])
            {
                var rebuilding = Stopwatch.StartNew();
                using var rebuilt = await admin.PostAsync(new Uri($"/api/projects/{project.Id}/rebuild-summaries", UriKind.Relative), null);
                rebuilt.EnsureSuccessStatusCode();
                var result = await rebuilt.Content.ReadFromJsonAsync<JsonElement>();
                var corrected = result.GetProperty("traceSummariesWritten").GetInt32() + result.GetProperty("sessionSummariesWritten").GetInt32();
                if (corrected > 0)
                {
                    await Console.Error.WriteLineAsync($"warning: the rebuild corrected {corrected} directly written summaries; the seeded summaries differ from the app's.");
                }

                rebuild = new { seconds = Math.Round(rebuilding.Elapsed.TotalSeconds, 1), summariesCorrected = corrected };
            }

            timings[$"{target}"] = new { ingestSeconds = Math.Round(ingested.TotalSeconds, 1), summariesSeconds = Math.Round(summarized.TotalSeconds, 1), rebuild };

            // Beside the list, its one query sent straight through the SDK as the app sends it: the store's share of
            // the list latency. Interleaved, so a slow moment of the machine hits both alike.
            var list = await MeasureAsync(
                settings.LatencySamples,
                Get(read, new Uri(ListQuery, UriKind.Relative), "items", 50),
                async () => Expect((await sessionSummaries.ReadPageAsync<SessionSummary>(listQuery, null, listFilter.Limit, null, CancellationToken.None)).Items.Count, 50, "sessions"));
            var replay = await MeasureAsync(settings.LatencySamples, Get(read, Replay, "turns", ReplayTurns));
            report.AddLatency($"Session list, 3 filters, 50 per page, at {target:#,0} sessions", list[0]);
            report.AddLatency($"Session list's query sent by the SDK directly (no app), at {target:#,0} sessions", list[1]);
            report.AddLatency($"Replay of a {ReplayTurns}-turn session, at {target:#,0} sessions", replay[0]);
        }

        report.Details["sessionDataSet"] = timings;
    }

    /// <summary>
    /// The calls in turn, one at a time, after unmeasured warm-up rounds (at most <see cref="WarmUpCalls"/> or 5 s);
    /// fewer than <paramref name="samples"/> rounds (at least 5) when the calls are so slow that they would take more
    /// than <see cref="MaxSampling"/>: the run stays short.
    /// </summary>
    private static async Task<List<double>[]> MeasureAsync(int samples, params Func<Task>[] calls)
    {
        var warmUp = Stopwatch.StartNew();
        for (var round = 0; round < WarmUpCalls && (round == 0 || warmUp.Elapsed < TimeSpan.FromSeconds(5)); round++)
        {
            foreach (var call in calls)
            {
                await call();
            }
        }

        var latencies = calls.Select(_ => new List<double>(samples)).ToArray();
        var sampling = Stopwatch.StartNew();
        for (var round = 0; round < samples && (round < 5 || sampling.Elapsed < MaxSampling); round++)
        {
            for (var c = 0; c < calls.Length; c++)
            {
                var sent = Stopwatch.GetTimestamp();
                await calls[c]();
                latencies[c].Add(Stopwatch.GetElapsedTime(sent).TotalMilliseconds);
            }
        }

        return latencies;
    }

    /// <summary>A GET whose answer is checked to be what a dashboard would show (timed up to the last byte).</summary>
    private static Func<Task> Get(HttpClient client, Uri uri, string array, int count) => async () =>
    {
        using var response = await client.GetAsync(uri);
        var body = await response.Content.ReadAsByteArrayAsync();
        response.EnsureSuccessStatusCode();
        using var json = JsonDocument.Parse(body);
        Expect(json.RootElement.GetProperty(array).GetArrayLength(), count, array);
    };

    private static void Expect(int actual, int count, string what)
    {
        if (actual != count)
        {
            throw new InvalidOperationException($"Expected {count} {what}, got {actual}: the data set is not what the benchmark measures.");
        }
    }

    private static async Task PostAsync(HttpClient client, IReadOnlyList<GeneratedTrace> batch)
    {
        using var content = new ByteArrayContent(IngestRequest.Serialize(batch));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await client.PostAsync(new Uri("/api/ingest", UriKind.Relative), content);
        response.EnsureSuccessStatusCode();
    }
}
