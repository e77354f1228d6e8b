using System.Text.Json;
using Microsoft.Azure.Cosmos;
using Traceway.Hosting;
using Traceway.Rollups;
using Traceway.Storage;

namespace Traceway.Benchmarks;

/// <summary>
/// Writes the trace and session summaries of seeded sessions directly, computed by the app's own rollup math
/// (<see cref="SessionMetrics"/>) from the documents the app stored for them. Why not the rebuild endpoint: the
/// emulator answers every partition-scoped query by scanning the whole container, so rolling up N sessions costs
/// O(N²) there (about 6 s at 1,000 sessions, many minutes at 10,000), which is the emulator's cost, not Azure's.
/// The benchmark proves the shortcut once: a rebuild right after it must find nothing to correct.
/// </summary>
internal sealed class SeededSummaries(CosmosClient cosmos, string database, string projectId)
{
    private static readonly ItemRequestOptions NoContent = new() { EnableContentResponseOnWrite = false };

    private readonly Container _summaries = cosmos.GetContainer(database, CosmosSchema.Summaries);

    /// <summary>Summaries of <paramref name="turns"/>, which must hold every turn of their sessions.</summary>
    public async Task WriteAsync(IEnumerable<GeneratedTrace> turns)
    {
        var traceSummaries = new List<TraceSummary>();
        var sessionSummaries = new List<SessionSummary>();
        foreach (var session in turns.GroupBy(t => t.SessionId, StringComparer.Ordinal))
        {
            var traces = session.Select(Summarize).ToList();
            traceSummaries.AddRange(traces);
            sessionSummaries.Add(SessionMetrics.SummarizeSession(projectId, traces[0].Pk, session.Key, traces)!);
        }

        var parallel = new ParallelOptions { MaxDegreeOfParallelism = 32 };
        await Parallel.ForEachAsync(traceSummaries, parallel, async (summary, ct) => await CreateAsync(summary, summary.Pk, ct));
        await Parallel.ForEachAsync(sessionSummaries, parallel, async (summary, ct) => await CreateAsync(summary, summary.Pk, ct));
    }

    private TraceSummary Summarize(GeneratedTrace trace)
    {
        var stored = StoredTurn.From(projectId, trace);
        var documents = stored.Spans.Select(MetricsOf).Prepend(MetricsOf(stored.Trace)).ToList();
        return SessionMetrics.SummarizeTrace(projectId, stored.Trace.Pk, trace.Id, documents)!;
    }

    // What the rollup's projection query reads back: the stored JSON seen through MetricFields.
    private static MetricFields MetricsOf<T>(T document) =>
        JsonSerializer.Deserialize<MetricFields>(JsonSerializer.SerializeToUtf8Bytes(document, TracewayJson.Options), TracewayJson.Options)!;

    private async Task CreateAsync<T>(T summary, string pk, CancellationToken cancellationToken)
    {
        using var body = new MemoryStream(JsonSerializer.SerializeToUtf8Bytes(summary, TracewayJson.Options));
        using var response = await _summaries.CreateItemStreamAsync(body, new PartitionKey(pk), NoContent, cancellationToken);
        response.EnsureSuccessStatusCode();
    }
}
