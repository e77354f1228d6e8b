using System.Text.Json;
using Microsoft.Azure.Cosmos;
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

    public async Task WriteAsync(IReadOnlyList<GeneratedTrace> batch)
    {
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = maxParallelWrites };
        var turns = batch.Select(t => StoredTurn.From(projectId, t)).ToList();
        await Parallel.ForEachAsync(turns, parallel, async (turn, ct) =>
            await CreateAsync(_traceIndex, turn.Index, turn.Index.Id, ct));

        var documents = turns.SelectMany(turn => turn.Spans
                .Select(span => (Func<CancellationToken, Task>)(ct => CreateAsync(_traces, span, span.Pk, ct)))
                .Prepend(ct => CreateAsync(_traces, turn.Trace, turn.Trace.Pk, ct)))
            .ToList();
        await Parallel.ForEachAsync(documents, parallel, async (write, ct) => await write(ct));
    }

    private static async Task CreateAsync<T>(Container container, T document, string pk, CancellationToken cancellationToken)
    {
        using var body = new MemoryStream(JsonSerializer.SerializeToUtf8Bytes(document, TracewayJson.Options));
        using var response = await container.CreateItemStreamAsync(body, new PartitionKey(pk), NoContent, cancellationToken);
        response.EnsureSuccessStatusCode();
    }
}
