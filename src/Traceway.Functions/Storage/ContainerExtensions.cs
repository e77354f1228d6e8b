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
}
