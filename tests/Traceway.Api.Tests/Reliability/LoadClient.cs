using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Traceway.Tests.Reliability;

/// <summary>
/// Several SDK-like clients ingesting a fixed number of batches concurrently against loopback, keeping a
/// ledger of every item sent, acknowledged, or reported as not stored. Each batch is 5 traces of 5 LLM
/// spans (100 input tokens, 10 output tokens, cost 0.001 each), so what the summaries must say follows
/// from the ledger alone.
/// </summary>
public sealed class LoadClient(Func<HttpClient> createClient, int sessions = 20)
{
    public const int TracesPerBatch = 5;
    public const int SpansPerTrace = 5;
    public const long InputTokensPerSpan = 100;
    public const long OutputTokensPerSpan = 10;
    public const double CostPerSpan = 0.001;

    private int _batch;

    public ConcurrentDictionary<string, bool> AcknowledgedSpans { get; } = new();

    public ConcurrentDictionary<string, bool> AcknowledgedTraces { get; } = new();

    public ConcurrentBag<(string Kind, string Id, int Status)> Rejected { get; } = [];

    public ConcurrentBag<HttpStatusCode> Statuses { get; } = [];

    /// <summary>Items (traces and spans) sent so far.</summary>
    public int Sent => _sent;

    /// <summary>Spans sent so far.</summary>
    public int SentSpans => _sent / (TracesPerBatch + (TracesPerBatch * SpansPerTrace)) * TracesPerBatch * SpansPerTrace;

    private int _sent;

    /// <summary>Sends exactly <paramref name="batches"/> batches from <paramref name="clients"/> concurrent clients.</summary>
    public async Task RunAsync(int clients, int batches)
    {
        var taken = 0;
        await Task.WhenAll(Enumerable.Range(0, clients).Select(async _ =>
        {
            using var client = createClient();
            while (Interlocked.Increment(ref taken) <= batches)
            {
                await SendBatchAsync(client, Interlocked.Increment(ref _batch));
            }
        }));
    }

    /// <summary>Session id of a trace, for checking where each acknowledged span ended up.</summary>
    public static string SessionOf(string traceId, int sessions = 20) => $"load-{int.Parse(traceId.Split('-')[1], System.Globalization.CultureInfo.InvariantCulture) % sessions}";

    private async Task SendBatchAsync(HttpClient client, int batch)
    {
        var traces = new JsonArray();
        for (var t = 0; t < TracesPerBatch; t++)
        {
            var traceId = $"b-{batch}-{t}";
            var start = DateTimeOffset.Parse("2026-11-20T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture).AddSeconds(batch).AddMilliseconds(t);
            traces.Add(new JsonObject
            {
                ["id"] = traceId, ["sessionId"] = SessionOf(traceId, sessions), ["startedAt"] = start.ToString("O"), ["endedAt"] = start.AddSeconds(1).ToString("O"),
                ["spans"] = new JsonArray([.. Enumerable.Range(0, SpansPerTrace).Select(s => (JsonNode)new JsonObject
                {
                    ["id"] = $"s{s}", ["name"] = "chat", ["kind"] = "llm", ["model"] = "gpt-4o", ["inputTokens"] = InputTokensPerSpan, ["outputTokens"] = OutputTokensPerSpan, ["cost"] = CostPerSpan,
                    ["input"] = new string('x', 800), ["startedAt"] = start.AddMilliseconds(s).ToString("O"),
                })]),
            });
        }

        Interlocked.Add(ref _sent, TracesPerBatch + (TracesPerBatch * SpansPerTrace));
        using var response = await client.PostAsJsonAsync(new Uri("/api/ingest", UriKind.Relative), new JsonObject { ["traces"] = traces });
        Statuses.Add(response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        var failed = response.StatusCode switch
        {
            HttpStatusCode.OK => [],
            HttpStatusCode.MultiStatus => body.GetProperty("errors").EnumerateArray().ToList(),
            _ => body.TryGetProperty("items", out var items) ? items.EnumerateArray().ToList() : null,
        };
        if (failed is null)
        {
            // Refused whole without a list (e.g. 503 before reading the body): nothing of this batch was stored.
            foreach (var trace in traces)
            {
                Rejected.Add(("trace", (string)trace!["id"]!, (int)response.StatusCode));
                trace["spans"]!.AsArray().ToList().ForEach(span => Rejected.Add(("span", (string)span!["id"]!, (int)response.StatusCode)));
            }

            return;
        }

        var failedKeys = failed.Select(e => (e.GetProperty("kind").GetString(), e.GetProperty("index").GetInt32(), e.TryGetProperty("spanIndex", out var si) ? si.GetInt32() : -1)).ToHashSet();
        foreach (var error in failed)
        {
            Rejected.Add((error.GetProperty("kind").GetString()!, error.GetProperty("id").GetString()!, error.GetProperty("status").GetInt32()));
        }

        for (var t = 0; t < traces.Count; t++)
        {
            var traceId = (string)traces[t]!["id"]!;
            if (!failedKeys.Contains(("trace", t, -1)))
            {
                AcknowledgedTraces[traceId] = true;
            }

            for (var s = 0; s < SpansPerTrace; s++)
            {
                if (!failedKeys.Contains(("span", t, s)))
                {
                    AcknowledgedSpans[$"{traceId}/s{s}"] = true;
                }
            }
        }
    }
}
