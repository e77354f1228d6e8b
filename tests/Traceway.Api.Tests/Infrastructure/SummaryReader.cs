using System.Text.Json.Nodes;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.DependencyInjection;
using Traceway.Storage;
using Traceway.Documents;

namespace Traceway.Tests.Infrastructure;

/// <summary>Reads summaries straight from the <c>summaries</c> container, to observe what the rollups wrote.</summary>
public sealed class SummaryReader(TracewayApp app, string projectId)
{
    private Container Summaries => app.Services.GetRequiredService<TracewayStores>().Summaries;

    public async Task<JsonNode?> SessionAsync(string sessionId) =>
        await ReadAsync(DocumentKeys.SessionPartitionKey(projectId, sessionId), "session");

    public async Task<JsonNode?> TraceAsync(string sessionId, string traceId) =>
        await ReadAsync(DocumentKeys.SessionPartitionKey(projectId, sessionId), DocumentKeys.TraceDocumentId(traceId));

    public async Task<JsonNode?> SessionlessTraceAsync(string traceId) =>
        await ReadAsync(DocumentKeys.PartitionKey(projectId, null, traceId), DocumentKeys.TraceDocumentId(traceId));

    /// <summary>Polls until the session summary satisfies <paramref name="done"/>, or the timeout passes; returns the last read.</summary>
    public async Task<JsonNode?> WaitForSessionAsync(string sessionId, Func<JsonNode, bool> done, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        JsonNode? summary;
        do
        {
            summary = await SessionAsync(sessionId);
            if (summary is not null && done(summary))
            {
                return summary;
            }

            await Task.Delay(50);
        }
        while (DateTime.UtcNow < deadline);

        return summary;
    }

    /// <summary>
    /// Every summary of the session's partition (not the rollup's ledgers beside them, whose revisions and
    /// layout differ between deliveries), without Cosmos system fields, for comparing runs.
    /// </summary>
    public async Task<string> AllAsync(string sessionId)
    {
        var query = new QueryDefinition("SELECT * FROM c WHERE c.type IN ('traceSummary', 'sessionSummary') ORDER BY c.id");
        using var iterator = Summaries.GetItemQueryIterator<JsonObject>(query, requestOptions: new QueryRequestOptions { PartitionKey = new PartitionKey(DocumentKeys.SessionPartitionKey(projectId, sessionId)) });
        var all = new JsonArray();
        while (iterator.HasMoreResults)
        {
            foreach (var item in await iterator.ReadNextAsync())
            {
                foreach (var system in item.Select(p => p.Key).Where(k => k.StartsWith('_')).ToList())
                {
                    item.Remove(system);
                }

                all.Add(item);
            }
        }

        return all.ToJsonString();
    }

    /// <summary>Deletes every summary of the session's partition, as a lost or corrupted store would.</summary>
    public async Task DeleteAllAsync(string sessionId)
    {
        var pk = new PartitionKey(DocumentKeys.SessionPartitionKey(projectId, sessionId));
        using var iterator = Summaries.GetItemQueryIterator<JsonObject>(new QueryDefinition("SELECT c.id FROM c"), requestOptions: new QueryRequestOptions { PartitionKey = pk });
        while (iterator.HasMoreResults)
        {
            foreach (var item in await iterator.ReadNextAsync())
            {
                using var _ = await Summaries.DeleteItemStreamAsync((string)item["id"]!, pk);
            }
        }
    }

    private async Task<JsonNode?> ReadAsync(string pk, string id)
    {
        using var response = await Summaries.ReadItemStreamAsync(id, new PartitionKey(pk));
        return response.IsSuccessStatusCode ? await JsonNode.ParseAsync(response.Content) : null;
    }
}
