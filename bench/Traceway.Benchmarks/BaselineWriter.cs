using System.Text.Json;
using Microsoft.Azure.Cosmos;
using Traceway.Documents;
using Traceway.Hosting;
using Traceway.Storage;

namespace Traceway.Benchmarks;

/// <summary>
/// The baseline: the raw Cosmos SDK writing the documents the app writes for a batch, the way the app writes
/// them (src/Traceway.Functions/Ingestion/IngestPipeline.cs): first each trace's index entry, then every trace and
/// span document, as stream creates without a response body, up to 32 at a time. No HTTP, no parsing, no merge.
/// </summary>
internal sealed class BaselineWriter(CosmosClient cosmos, string database, string projectId, int maxParallelWrites = 32)
{
    private static readonly ItemRequestOptions NoContent = new() { EnableContentResponseOnWrite = false };

    private readonly Container _traces = cosmos.GetContainer(database, CosmosSchema.Traces);
    private readonly Container _traceIndex = cosmos.GetContainer(database, CosmosSchema.TraceIndex);

    public Task WriteAsync(IReadOnlyList<GeneratedTrace> batch)
    {
        var turns = batch.Select(t => StoredTurn.From(projectId, t)).ToList();
        return WriteAsync(
            turns.Select(turn => turn.Index),
            turns.SelectMany(turn => turn.Spans.Select(span => (Func<CancellationToken, Task>)(ct => CreateAsync(_traces, span, span.Pk, ct)))
                .Prepend(ct => CreateAsync(_traces, turn.Trace, turn.Trace.Pk, ct))));
    }

    /// <summary>The documents the app stores for the items of an ingest batch (an OTLP export's, say), as the app builds them.</summary>
    public Task WriteAsync(Traceway.Ingestion.IngestBatch batch)
    {
        var locations = batch.Traces.Select(t => t.Trace.TraceId).Concat(batch.Spans.Select(s => s.Span.TraceId)).Distinct()
            .ToDictionary(id => id, id =>
            {
                var sessionId = batch.Traces.Select(t => t.Trace).FirstOrDefault(t => t.TraceId == id)?.SessionId ?? batch.Spans.First(s => s.Span.TraceId == id).Span.SessionId;
                return new TraceLocation(DocumentKeys.TraceIndexId(projectId, id), projectId, id, sessionId, DocumentKeys.PartitionKey(projectId, sessionId, id));
            });
        return WriteAsync(
            locations.Values,
            batch.Traces.Select(t => t.Trace.ToDocument(locations[t.Trace.TraceId])).Select(d => (Func<CancellationToken, Task>)(ct => CreateAsync(_traces, d, d.Pk, ct)))
                .Concat(batch.Spans.Select(s => s.Span.ToDocument(locations[s.Span.TraceId])).Select(d => (Func<CancellationToken, Task>)(ct => CreateAsync(_traces, d, d.Pk, ct)))));
    }

    private async Task WriteAsync(IEnumerable<TraceLocation> index, IEnumerable<Func<CancellationToken, Task>> documents)
    {
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = maxParallelWrites };
        await Parallel.ForEachAsync(index, parallel, async (entry, ct) => await CreateAsync(_traceIndex, entry, entry.Id, ct));
        await Parallel.ForEachAsync(documents.ToList(), parallel, async (write, ct) => await write(ct));
    }

    private static async Task CreateAsync<T>(Container container, T document, string pk, CancellationToken cancellationToken)
    {
        using var body = new MemoryStream(JsonSerializer.SerializeToUtf8Bytes(document, TracewayJson.Options));
        using var response = await container.CreateItemStreamAsync(body, new PartitionKey(pk), NoContent, cancellationToken);
        response.EnsureSuccessStatusCode();
    }
}
