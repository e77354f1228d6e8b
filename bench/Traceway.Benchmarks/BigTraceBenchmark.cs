using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Azure.Cosmos;
using Traceway.Documents;
using Traceway.Rollups;
using Traceway.Storage;

namespace Traceway.Benchmarks;

/// <summary>
/// Issue 12's head-of-line case: project A ingests one trace of <see cref="BenchmarkSettings.BigTraceSpans"/> spans in
/// <see cref="BenchmarkSettings.BigTraceRequests"/> requests while project B keeps sending ordinary 5–20-span turns, one
/// at a time, each waited for: B's summary lag (acknowledged → its session summary counts the turn) throughout, how long
/// after A's last acknowledgement A's session summary is exact, and the rollups' document read requests per ingested
/// span. The reads are counted in the emulator's request log (the app runs in its own process), so this phase runs on
/// emulators of its own with the log on, which slows the emulator a little: its lags are, if anything, pessimistic.
/// </summary>
internal static class BigTraceBenchmark
{
    private const string Database = "bench-bigtrace";
    private const int TurnsPerSession = 4;
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan ExactTimeout = TimeSpan.FromSeconds(120);

    public static async Task RunAsync(BenchmarkSettings settings, BenchmarkReport report)
    {
        await using var emulators = await LocalEmulators.StartAsync(logRequests: true);
        using var cosmos = emulators.CreateCosmosClient();
        var requestLog = new CosmosRequestLog(emulators.RequestLog!);
        await using var app = await BenchmarkApp.StartAsync(settings.Root, emulators, Database, changeFeed: true, settings.MaxItemsPerBatch);
        var a = await app.CreateProjectAsync("bench-bigtrace-a");
        var b = await app.CreateProjectAsync("bench-bigtrace-b");
        using var aHttp = app.Client(a.IngestKey);
        using var bHttp = app.Client(b.IngestKey);
        var summaries = cosmos.GetContainer(Database, CosmosSchema.Summaries);
        var ownReads = 0L;
        var generator = new TraceGenerator("bigtrace-b", seed: 12);

        // The processor's first lease and batch are not what this measures: a few probes before A starts.
        var probe = 0;
        for (; probe < TurnsPerSession; probe++)
        {
            await ProbeAsync(bHttp, summaries, b.Id, generator, probe, () => Interlocked.Increment(ref ownReads));
        }

        var tally = new RequestTally();
        var bSpans = 0L;
        var lags = new List<double>();
        var requestMs = new List<double>();
        var sinceLastAck = new Stopwatch();
        var exactAfter = TimeSpan.Zero;
        var exact = false;
        await requestLog.CountAsync(cosmos, tally, async () =>
        {
            Interlocked.Exchange(ref ownReads, 0);
            var ingestA = Task.Run(async () =>
            {
                var perRequest = (int)Math.Ceiling(settings.BigTraceSpans / (double)settings.BigTraceRequests);
                for (var first = 0; first < settings.BigTraceSpans; first += perRequest)
                {
                    var sent = Stopwatch.StartNew();
                    using var content = JsonContent.Create(Request(first, Math.Min(perRequest, settings.BigTraceSpans - first)));
                    using var response = await aHttp.PostAsync(new Uri("/api/ingest", UriKind.Relative), content);
                    if (response.StatusCode != HttpStatusCode.OK)
                    {
                        throw new InvalidOperationException($"A's request at span {first} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
                    }

                    requestMs.Add(sent.Elapsed.TotalMilliseconds);
                }

                sinceLastAck.Start();
                var pk = new PartitionKey(DocumentKeys.SessionPartitionKey(a.Id, "agent"));
                while (sinceLastAck.Elapsed < ExactTimeout)
                {
                    Interlocked.Increment(ref ownReads);
                    using var read = await summaries.ReadItemStreamAsync(SessionSummary.DocumentId, pk);
                    if (read.IsSuccessStatusCode)
                    {
                        var root = JsonDocument.Parse(read.Content).RootElement;
                        if (root.GetProperty("spanCount").GetInt32() == settings.BigTraceSpans
                            && root.GetProperty("traceCount").GetInt32() == 1
                            && root.GetProperty("inputTokens").GetInt64() == settings.BigTraceSpans * 3L)
                        {
                            exactAfter = sinceLastAck.Elapsed;
                            exact = true;
                            return;
                        }
                    }

                    await Task.Delay(20);
                }

                exactAfter = sinceLastAck.Elapsed;
            });

            // B's lag is sampled throughout: while A ingests and until A's summaries are exact.
            for (var sampled = 0; !ingestA.IsCompleted || sampled < 5; sampled++, probe++)
            {
                var (lag, spans) = await ProbeAsync(bHttp, summaries, b.Id, generator, probe, () => Interlocked.Increment(ref ownReads));
                lags.Add(lag);
                bSpans += spans;
            }

            await ingestA;
            return 0;
        });

        static bool IsRead(CosmosOperation operation) => operation is CosmosOperation.Read or CosmosOperation.Query or CosmosOperation.QueryPlan;
        var summaryReads = tally.Count((container, operation) => container == CosmosSchema.Summaries && IsRead(operation));
        var traceReads = tally.Count((container, operation) => container == CosmosSchema.Traces && IsRead(operation));
        var rollupReads = summaryReads - ownReads + traceReads;
        var ingested = settings.BigTraceSpans + bSpans;
        var perSpan = rollupReads / (double)ingested;
        var p95 = Percentiles.Of(lags, 0.95);

        report.AddText(
            $"Big trace: B's summary lag while A ingests one {settings.BigTraceSpans:#,0}-span trace in {settings.BigTraceRequests} requests (request log on)",
            $"{Percentiles.Of(lags, 0.50):0} / {p95:0} / {lags.Max():0} (n = {lags.Count})", "ms p50 / p95 / max");
        report.Add("Big trace: B's summary lag p95", p95, "ms", "≤ 1,000", p95 <= 1000);
        report.AddLatency($"Big trace: A's request latency ({requestMs.Count} requests)", requestMs);
        report.Add("Big trace: A's session summary exact after its last acknowledgement", exactAfter.TotalSeconds, "s", "≤ 5", exact && exactAfter.TotalSeconds <= 5);
        report.Add($"Big trace: rollup read requests (summaries and traces containers) per ingested span ({rollupReads:#,0} for {ingested:#,0} spans)", perSpan, "requests", "≤ 3", perSpan <= 3);
        report.Details["bigtrace"] = new
        {
            spans = settings.BigTraceSpans, requests = settings.BigTraceRequests, bSpans, lagsMs = lags, aRequestMs = requestMs,
            exact, exactAfterSeconds = exactAfter.TotalSeconds, summaryReads, ownReads, traceReads, rollupReads,
            requestsByKind = tally.ByKind(),
        };
    }

    /// <summary>Sends one ordinary turn of B and waits until its session summary counts it; returns the lag in ms and the turn's spans.</summary>
    internal static async Task<(double Lag, int Spans)> ProbeAsync(HttpClient http, Container summaries, string projectId, TraceGenerator generator, int probe, Action countRead)
    {
        var session = $"b-{probe / TurnsPerSession}";
        var turn = (probe % TurnsPerSession) + 1;
        var trace = generator.Next(session);
        await IngestBenchmark.PostAsync(http, [trace]);
        var acknowledged = Stopwatch.StartNew();
        var pk = new PartitionKey(DocumentKeys.SessionPartitionKey(projectId, session));
        while (acknowledged.Elapsed < ProbeTimeout)
        {
            countRead();
            using var response = await summaries.ReadItemStreamAsync(SessionSummary.DocumentId, pk);
            if (response.IsSuccessStatusCode && JsonDocument.Parse(response.Content).RootElement.GetProperty("traceCount").GetInt32() >= turn)
            {
                break;
            }

            await Task.Delay(5);
        }

        return (acknowledged.Elapsed.TotalMilliseconds, trace.Spans.Count);
    }

    // The first request carries the trace; every span has 3 input tokens, so the exact session counts 3 per span.
    private static JsonObject Request(int first, int count)
    {
        var spans = new JsonArray([.. Enumerable.Range(first, count).Select(i => (JsonNode)new JsonObject
        {
            ["id"] = $"step-{i}", ["traceId"] = "run", ["sessionId"] = "agent", ["name"] = "chat", ["kind"] = "llm", ["model"] = "gpt-4o",
            ["inputTokens"] = 3, ["outputTokens"] = 1, ["cost"] = 0.00001, ["startedAt"] = "2026-11-20T10:00:00Z",
            ["input"] = "[{\"role\":\"user\",\"content\":\"step of a long agent run\"}]",
        })]);
        return first == 0
            ? new JsonObject { ["traces"] = new JsonArray(new JsonObject { ["id"] = "run", ["sessionId"] = "agent", ["name"] = "agent-run", ["startedAt"] = "2026-11-20T10:00:00Z" }), ["spans"] = spans }
            : new JsonObject { ["spans"] = spans };
    }
}
