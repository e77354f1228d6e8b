using System.Net;
using System.Text.Json;
using Microsoft.Azure.Cosmos;
using Traceway.Hosting;

namespace Traceway.Storage;

internal static class ContainerExtensions
{
    /// <summary>A point read that answers null for a missing item instead of throwing, with the item's ETag.</summary>
    public static async Task<(T? Item, string? ETag)> ReadItemOrDefaultAsync<T>(this Container container, string id, PartitionKey partitionKey, CancellationToken cancellationToken)
        where T : class
    {
        using var response = await container.ReadItemStreamAsync(id, partitionKey, cancellationToken: cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return (null, null);
        }

        response.EnsureSuccessStatusCode();
        var item = await JsonSerializer.DeserializeAsync<T>(response.Content, TracewayJson.Options, cancellationToken);
        return (item, response.Headers.ETag);
    }

    /// <summary>
    /// Reads up to <paramref name="limit"/> items from <paramref name="continuation"/>, following Cosmos pages (which
    /// may come back short) until the limit or the end. Failed is true when Cosmos refuses the continuation.
    /// </summary>
    public static async Task<(List<T> Items, string? Next, bool Failed)> ReadPageAsync<T>(
        this Container container, QueryDefinition query, string? continuation, int limit, string? pk, CancellationToken cancellationToken)
    {
        var items = new List<T>();
        var next = continuation;
        do
        {
            var options = new QueryRequestOptions { MaxItemCount = Math.Min(limit - items.Count, 1000), PartitionKey = pk is null ? null : new PartitionKey(pk) };
            using var iterator = container.GetItemQueryIterator<T>(query, next, options);
            if (!iterator.HasMoreResults)
            {
                break;
            }

            try
            {
                var response = await iterator.ReadNextAsync(cancellationToken);
                items.AddRange(response);
                next = response.ContinuationToken;
            }
            catch (CosmosException e) when (e.StatusCode == HttpStatusCode.BadRequest && next is not null)
            {
                return (items, null, true);
            }
        }
        while (next is not null && items.Count < limit);

        return (items, next, false);
    }
}
