using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Azure.Cosmos;
using Traceway.Benchmarks;
using Traceway.Storage;
using Traceway.Traces;

// Measures Traceway on the local emulators (the store is the npm Cosmos DB emulator, not Azure).
// Usage: dotnet run -c Release --project bench/Traceway.Benchmarks -- [--lag-samples N]
var root = args.SkipWhile(a => a != "--root").Skip(1).FirstOrDefault() ?? Directory.GetCurrentDirectory();
var lagSamples = int.Parse(args.SkipWhile(a => a != "--lag-samples").Skip(1).FirstOrDefault() ?? "200", CultureInfo.InvariantCulture);

await using var stack = await LocalStack.StartAsync(root);
var (projectId, ingestKey, _) = await stack.CreateProjectAsync();
using var cosmos = StorageServiceCollectionExtensions.CreateCosmosClient(
    new CosmosOptions { AccountEndpoint = stack.CosmosEndpoint, Key = LocalStack.CosmosKey }, () => throw new InvalidOperationException(), []);
var summaries = cosmos.GetContainer(stack.DatabaseName, CosmosSchema.Summaries);
using var ingest = new HttpClient { BaseAddress = stack.AppUrl };
ingest.DefaultRequestHeaders.Authorization = new("Bearer", ingestKey);

// Change-feed lag: ingest acknowledged → session summary reflects the new turn.
var lags = new List<double>();
const int sessions = 20;
for (var i = 0; i < lagSamples; i++)
{
    var sessionId = $"lag-{i % sessions}";
    var turn = (i / sessions) + 1;
    var start = DateTimeOffset.Parse("2026-11-20T10:00:00Z", CultureInfo.InvariantCulture).AddMinutes(i);
    var request = new
    {
        traces = new[]
        {
            new
            {
                id = $"lag-trace-{i}", sessionId, startedAt = start, endedAt = start.AddSeconds(2),
                spans = Enumerable.Range(0, 3).Select(s => new { id = $"s{s}", name = "chat", kind = "llm", model = "gpt-4o", inputTokens = 100, outputTokens = 20, startedAt = start.AddMilliseconds(s) }).ToArray(),
            },
        },
    };
    (await ingest.PostAsJsonAsync(new Uri("/api/ingest", UriKind.Relative), request)).EnsureSuccessStatusCode();
    var acknowledged = Stopwatch.GetTimestamp();
    var pk = new PartitionKey(DocumentKeys.SessionPartitionKey(projectId, sessionId));
    while (true)
    {
        using var response = await summaries.ReadItemStreamAsync("session", pk);
        if (response.IsSuccessStatusCode && JsonDocument.Parse(response.Content).RootElement.GetProperty("traceCount").GetInt32() >= turn)
        {
            break;
        }

        await Task.Delay(5);
    }

    lags.Add(Stopwatch.GetElapsedTime(acknowledged).TotalMilliseconds);
}

var results = new Dictionary<string, object>
{
    ["date"] = DateTime.UtcNow.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
    ["machine"] = $"{Environment.ProcessorCount} cores, {Environment.OSVersion}",
    ["changeFeedLagP50Ms"] = Percentile(lags, 0.50),
    ["changeFeedLagP95Ms"] = Percentile(lags, 0.95),
    ["changeFeedLagSamples"] = lags.Count,
};

Console.WriteLine("| measure | value |");
Console.WriteLine("| --- | --- |");
foreach (var (name, value) in results)
{
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {name} | {value} |"));
}

Directory.CreateDirectory(Path.Combine(root, "artifacts"));
await File.WriteAllTextAsync(Path.Combine(root, "artifacts", "benchmark.json"), JsonSerializer.Serialize(results, new JsonSerializerOptions { WriteIndented = true }));

static double Percentile(List<double> values, double p)
{
    var sorted = values.Order().ToList();
    return Math.Round(sorted[(int)Math.Min(sorted.Count - 1, Math.Ceiling(p * sorted.Count) - 1)], 1);
}
