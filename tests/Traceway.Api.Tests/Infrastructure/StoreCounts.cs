using Microsoft.Azure.Cosmos;

namespace Traceway.Tests.Infrastructure;

/// <summary>Counts what a container holds, straight from the store: what deletion, erasure, limits and retention tests compare.</summary>
public static class StoreCounts
{
    /// <summary>The sum of a <c>SELECT VALUE COUNT(1)</c> query over every page.</summary>
    public static async Task<int> CountAsync(this Container container, QueryDefinition query)
    {
        var total = 0;
        using var iterator = container.GetItemQueryIterator<int>(query);
        while (iterator.HasMoreResults)
        {
            total += (await iterator.ReadNextAsync()).Sum();
        }

        return total;
    }
}
