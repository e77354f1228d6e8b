using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Azure.Cosmos;
using Traceway.Rollups;
using Traceway.Storage;
using Traceway.Documents;

namespace Traceway.Benchmarks;

/// <summary>
/// Change-feed lag: from the moment <c>POST /api/ingest</c> acknowledges a turn to the moment its session
/// summary counts it, with the app's own change feed processor (poll interval 200 ms) doing the rollup.
/// One turn at a time, so each sample is the lag of an otherwise idle pipeline.
/// </summary>
internal static class ChangeFeedLagBenchmark
{
    private const string Database = "bench-lag";
    private const int Sessions = 20;

    public static async Task RunAsync(BenchmarkSettings settings, LocalEmulators emulators, CosmosClient cosmos, BenchmarkReport report)
    {
        await using var app = await BenchmarkApp.StartAsync(settings.Root, emulators, Database, changeFeed: true);
        var project = await app.CreateProjectAsync("bench-lag");
        using var ingest = app.Client(project.IngestKey);
        var summaries = cosmos.GetContainer(Database, CosmosSchema.Summaries);
        var start = DateTimeOffset.Parse("2026-11-20T10:00:00Z", CultureInfo.InvariantCulture);

        var lags = new List<double>();
        for (var i = 0; i < settings.LagSamples; i++)
        {
            var sessionId = $"lag-{i % Sessions}";
            var turn = (i / Sessions) + 1;
            var startedAt = start.AddMinutes(i);
            var request = new
            {
                traces = new[]
                {
                    new
                    {
                        id = $"lag-trace-{i}", sessionId, startedAt, endedAt = startedAt.AddSeconds(2),
                        spans = Enumerable.Range(0, 3).Select(s => new { id = $"s{s}", name = "chat", kind = "llm", model = "gpt-4o", inputTokens = 100, outputTokens = 20, startedAt = startedAt.AddMilliseconds(s) }).ToArray(),
                    },
                },
            };
            using (var response = await ingest.PostAsJsonAsync(new Uri("/api/ingest", UriKind.Relative), request))
            {
                response.EnsureSuccessStatusCode();
            }

            var acknowledged = Stopwatch.GetTimestamp();
            var pk = new PartitionKey(DocumentKeys.SessionPartitionKey(project.Id, sessionId));
            while (!await CountsTurnAsync(summaries, pk, turn))
            {
                await Task.Delay(5);
            }

            lags.Add(Stopwatch.GetElapsedTime(acknowledged).TotalMilliseconds);
        }

        report.AddLatency($"Change-feed lag, ingest acknowledged → session summary updated ({lags.Count} turns)", lags);
    }

    private static async Task<bool> CountsTurnAsync(Container summaries, PartitionKey pk, int turn)
    {
        using var response = await summaries.ReadItemStreamAsync(SessionSummary.DocumentId, pk);
        return response.IsSuccessStatusCode && JsonDocument.Parse(response.Content).RootElement.GetProperty("traceCount").GetInt32() >= turn;
    }
}
