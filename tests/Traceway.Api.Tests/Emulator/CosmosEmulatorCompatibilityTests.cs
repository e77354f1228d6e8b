using System.Net;
using Microsoft.Azure.Cosmos;

namespace Traceway.Tests.Emulator;

/// <summary>
/// Every Cosmos DB operation Traceway relies on, against the local emulator with the app's client
/// settings. These fail against the unpatched emulator (see emulators/patches) and pass once patched.
/// </summary>
public sealed class CosmosEmulatorCompatibilityTests(CosmosEmulatorFixture fixture) : IClassFixture<CosmosEmulatorFixture>
{
    [Theory]
    [InlineData("t-1")]
    [InlineData("turn 1")]
    [InlineData("émoji 🚀 ·")]
    [InlineData("100%")]
    [InlineData("s:a~2Fb~3F~25:x")]
    public async Task Create_then_read_returns_the_item_with_an_etag(string id)
    {
        var container = await fixture.NewContainerAsync();
        var created = await container.CreateItemAsync(new Item(id, "p1", 1, "trace"), new PartitionKey("p1"));

        var read = await container.ReadItemAsync<Item>(id, new PartitionKey("p1"));

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(new Item(id, "p1", 1, "trace"), read.Resource);
        Assert.False(string.IsNullOrEmpty(read.ETag));
        Assert.Equal(created.ETag, read.ETag);
    }

    [Fact]
    public async Task Creating_an_existing_id_in_the_same_partition_is_a_conflict()
    {
        var container = await fixture.NewContainerAsync();
        await container.CreateItemAsync(new Item("x", "p1", 1, "trace"), new PartitionKey("p1"));

        var error = await Assert.ThrowsAsync<CosmosException>(() => container.CreateItemAsync(new Item("x", "p1", 2, "trace"), new PartitionKey("p1")));
        await container.CreateItemAsync(new Item("x", "p2", 3, "trace"), new PartitionKey("p2"));

        Assert.Equal(HttpStatusCode.Conflict, error.StatusCode);
        Assert.Equal(1, (await container.ReadItemAsync<Item>("x", new PartitionKey("p1"))).Resource.N);
    }

    [Fact]
    public async Task Reading_a_missing_id_or_with_the_wrong_partition_key_is_not_found()
    {
        var container = await fixture.NewContainerAsync();
        await container.CreateItemAsync(new Item("x", "p1", 1, "trace"), new PartitionKey("p1"));

        var missing = await Assert.ThrowsAsync<CosmosException>(() => container.ReadItemAsync<Item>("nope", new PartitionKey("p1")));
        var wrongPartition = await Assert.ThrowsAsync<CosmosException>(() => container.ReadItemAsync<Item>("x", new PartitionKey("p2")));
        using var stream = await container.ReadItemStreamAsync("nope", new PartitionKey("p1"));

        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, wrongPartition.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, stream.StatusCode);
    }

    [Fact]
    public async Task Replace_with_the_current_etag_succeeds_and_a_stale_etag_is_a_precondition_failure()
    {
        var container = await fixture.NewContainerAsync();
        var first = await container.CreateItemAsync(new Item("x", "p1", 1, "trace"), new PartitionKey("p1"));
        var second = await container.ReplaceItemAsync(new Item("x", "p1", 2, "trace"), "x", new PartitionKey("p1"), new ItemRequestOptions { IfMatchEtag = first.ETag });

        var stale = await Assert.ThrowsAsync<CosmosException>(() =>
            container.ReplaceItemAsync(new Item("x", "p1", 3, "trace"), "x", new PartitionKey("p1"), new ItemRequestOptions { IfMatchEtag = first.ETag }));

        Assert.NotEqual(first.ETag, second.ETag);
        Assert.Equal(HttpStatusCode.PreconditionFailed, stale.StatusCode);
        Assert.Equal(2, (await container.ReadItemAsync<Item>("x", new PartitionKey("p1"))).Resource.N);
    }

    [Fact]
    public async Task Upsert_creates_then_replaces_and_delete_removes()
    {
        var container = await fixture.NewContainerAsync();
        var created = await container.UpsertItemAsync(new Item("x", "p1", 1, "trace"), new PartitionKey("p1"));
        var replaced = await container.UpsertItemAsync(new Item("x", "p1", 2, "trace"), new PartitionKey("p1"));
        var deleted = await container.DeleteItemAsync<Item>("x", new PartitionKey("p1"));
        var gone = await Assert.ThrowsAsync<CosmosException>(() => container.ReadItemAsync<Item>("x", new PartitionKey("p1")));
        var deleteMissing = await Assert.ThrowsAsync<CosmosException>(() => container.DeleteItemAsync<Item>("x", new PartitionKey("p1")));
        var replaceMissing = await Assert.ThrowsAsync<CosmosException>(() => container.ReplaceItemAsync(new Item("y", "p1", 1, "trace"), "y", new PartitionKey("p1")));

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(HttpStatusCode.OK, replaced.StatusCode);
        Assert.Equal(2, replaced.Resource.N);
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, deleteMissing.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, replaceMissing.StatusCode);
    }

    [Fact]
    public async Task A_query_scoped_to_a_partition_key_sees_only_that_partition()
    {
        var container = await SeedAsync();

        var items = await QueryAsync<Item>(container, new QueryDefinition("SELECT * FROM c WHERE c.kind = @kind").WithParameter("@kind", "span"), "p1");

        Assert.Equal(["p1-1", "p1-3"], items.Select(i => i.Id).Order());
    }

    [Fact]
    public async Task A_query_scoped_to_a_partition_key_scans_only_that_partition_as_Azure_does()
    {
        var container = await fixture.NewContainerAsync();
        foreach (var n in Enumerable.Range(1, 40))
        {
            await container.CreateItemAsync(new Item($"big-{n}", "big", n, "span"), new PartitionKey("big"));
        }

        await container.CreateItemAsync(new Item("small-1", "small", 1, "span"), new PartitionKey("small"));
        await container.CreateItemAsync(new Item("small-2", "small", 2, "trace"), new PartitionKey("small"));
        await container.ReplaceItemAsync(new Item("small-1", "small", 3, "span"), "small-1", new PartitionKey("small"));
        await container.DeleteItemAsync<Item>("big-1", new PartitionKey("big"));

        using var iterator = container.GetItemQueryIterator<Item>(new QueryDefinition("SELECT * FROM c WHERE c.kind = 'span'"), requestOptions: new QueryRequestOptions { PartitionKey = new PartitionKey("small") });
        var page = await iterator.ReadNextAsync();
        using var bigIterator = container.GetItemQueryIterator<Item>(new QueryDefinition("SELECT * FROM c"), requestOptions: new QueryRequestOptions { PartitionKey = new PartitionKey("big") });
        var bigPage = await bigIterator.ReadNextAsync();

        // The emulator says how many documents it looked at: the partition's two (after a replace), not the container's 41.
        Assert.Equal("2", page.Headers["x-traceway-scanned"]);
        Assert.Equal([3], page.Select(i => i.N));
        Assert.Equal("39", bigPage.Headers["x-traceway-scanned"]);
        Assert.Equal(39, bigPage.Count);
    }

    [Fact]
    public async Task A_cross_partition_query_filters_across_all_partitions()
    {
        var container = await SeedAsync();

        var items = await QueryAsync<Item>(container, new QueryDefinition("SELECT * FROM c WHERE c.kind = @kind AND c.n >= @min").WithParameter("@kind", "span").WithParameter("@min", 3));

        Assert.Equal(["p1-3", "p2-3", "p3-3"], items.Select(i => i.Id).Order());
    }

    [Fact]
    public async Task Order_by_sorts_across_partitions_in_both_directions()
    {
        var container = await SeedAsync();

        var ascending = await QueryAsync<Item>(container, new QueryDefinition("SELECT * FROM c ORDER BY c.id ASC"));
        var descending = await QueryAsync<Item>(container, new QueryDefinition("SELECT * FROM c WHERE c.pk = 'p2' ORDER BY c.n DESC"));

        Assert.Equal(Expected().Select(i => i.Id).Order(StringComparer.Ordinal), ascending.Select(i => i.Id));
        Assert.Equal(["p2-4", "p2-3", "p2-2", "p2-1"], descending.Select(i => i.Id));
    }

    [Fact]
    public async Task Aggregates_count_and_sum_in_one_partition_and_across_partitions()
    {
        var container = await SeedAsync();

        var count = await QueryAsync<long>(container, new QueryDefinition("SELECT VALUE COUNT(1) FROM c"));
        var sum = await QueryAsync<long>(container, new QueryDefinition("SELECT VALUE SUM(c.n) FROM c"), "p3");
        var max = await QueryAsync<long>(container, new QueryDefinition("SELECT VALUE MAX(c.n) FROM c WHERE c.kind = 'span'"));

        Assert.Equal([12L], count);
        Assert.Equal([10L], sum);
        Assert.Equal([3L], max);
    }

    [Fact]
    public async Task Top_offset_limit_and_distinct_are_understood()
    {
        var container = await SeedAsync();

        var top = await QueryAsync<Item>(container, new QueryDefinition("SELECT TOP 2 * FROM c ORDER BY c.id"));
        var page = await QueryAsync<Item>(container, new QueryDefinition("SELECT * FROM c ORDER BY c.id OFFSET 3 LIMIT 2"));
        var kinds = await QueryAsync<string>(container, new QueryDefinition("SELECT DISTINCT VALUE c.kind FROM c"));

        Assert.Equal(["p1-1", "p1-2"], top.Select(i => i.Id));
        Assert.Equal(["p1-4", "p2-1"], page.Select(i => i.Id));
        Assert.Equal(["span", "trace"], kinds.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Paging_resumes_from_a_continuation_token_on_a_new_iterator_without_gaps_or_duplicates()
    {
        var container = await SeedAsync();
        var query = new QueryDefinition("SELECT * FROM c ORDER BY c.id");
        var seen = new List<string>();
        string? continuation = null;
        var pages = 0;

        do
        {
            using var iterator = container.GetItemQueryIterator<Item>(query, continuation, new QueryRequestOptions { MaxItemCount = 5 });
            var page = await iterator.ReadNextAsync();
            seen.AddRange(page.Select(i => i.Id));
            continuation = page.ContinuationToken;
            pages++;
        }
        while (continuation is not null);

        Assert.Equal(Expected().Select(i => i.Id).Order(StringComparer.Ordinal), seen);
        Assert.Equal(3, pages);
    }

    [Fact]
    public async Task The_change_feed_from_the_beginning_returns_every_latest_version_then_resumes_from_its_continuation()
    {
        var container = await fixture.NewContainerAsync();
        await container.CreateItemAsync(new Item("a", "p1", 1, "trace"), new PartitionKey("p1"));
        await container.CreateItemAsync(new Item("b", "p2", 1, "trace"), new PartitionKey("p2"));
        await container.UpsertItemAsync(new Item("a", "p1", 2, "trace"), new PartitionKey("p1"));

        var (first, continuation) = await ReadChangeFeedAsync(container, ChangeFeedStartFrom.Beginning());
        await container.CreateItemAsync(new Item("c", "p1", 1, "trace"), new PartitionKey("p1"));
        await container.UpsertItemAsync(new Item("b", "p2", 5, "trace"), new PartitionKey("p2"));
        var (second, _) = await ReadChangeFeedAsync(container, ChangeFeedStartFrom.ContinuationToken(continuation));

        Assert.Equal(["b:1", "a:2"], first.Select(i => $"{i.Id}:{i.N}"));
        Assert.Equal(["c:1", "b:5"], second.Select(i => $"{i.Id}:{i.N}"));
    }

    [Fact]
    public async Task The_change_feed_from_now_returns_only_later_changes()
    {
        var container = await fixture.NewContainerAsync();
        await container.CreateItemAsync(new Item("old", "p1", 1, "trace"), new PartitionKey("p1"));

        var (before, continuation) = await ReadChangeFeedAsync(container, ChangeFeedStartFrom.Now());
        await container.CreateItemAsync(new Item("new", "p2", 1, "trace"), new PartitionKey("p2"));
        var (after, _) = await ReadChangeFeedAsync(container, ChangeFeedStartFrom.ContinuationToken(continuation));

        Assert.Empty(before);
        Assert.Equal(["new"], after.Select(i => i.Id));
    }

    [Fact]
    public async Task The_change_feed_of_one_partition_key_returns_only_its_changes()
    {
        var container = await fixture.NewContainerAsync();
        await container.CreateItemAsync(new Item("a", "p1", 1, "trace"), new PartitionKey("p1"));
        await container.CreateItemAsync(new Item("b", "p2", 1, "trace"), new PartitionKey("p2"));

        var (changes, _) = await ReadChangeFeedAsync(container, ChangeFeedStartFrom.Beginning(FeedRange.FromPartitionKey(new PartitionKey("p2"))));

        Assert.Equal(["b"], changes.Select(i => i.Id));
    }

    [Fact]
    public async Task The_change_feed_processor_receives_inserts_and_updates()
    {
        var container = await fixture.NewContainerAsync();
        var leases = await fixture.NewLeaseContainerAsync();
        var received = new System.Collections.Concurrent.ConcurrentQueue<Item>();
        var processor = container
            .GetChangeFeedProcessorBuilder<Item>("rollups", (IReadOnlyCollection<Item> changes, CancellationToken _) =>
            {
                foreach (var change in changes)
                {
                    received.Enqueue(change);
                }

                return Task.CompletedTask;
            })
            .WithInstanceName("test-instance")
            .WithLeaseContainer(leases)
            .WithPollInterval(TimeSpan.FromMilliseconds(100))
            .WithStartTime(DateTime.MinValue.ToUniversalTime())
            .Build();

        await processor.StartAsync();
        try
        {
            await container.CreateItemAsync(new Item("a", "p1", 1, "trace"), new PartitionKey("p1"));
            await WaitUntilAsync(() => received.Any(i => i is { Id: "a", N: 1 }));
            await container.UpsertItemAsync(new Item("a", "p1", 2, "trace"), new PartitionKey("p1"));
            await container.CreateItemAsync(new Item("b", "p2", 1, "span"), new PartitionKey("p2"));
            await WaitUntilAsync(() => received.Any(i => i is { Id: "a", N: 2 }) && received.Any(i => i.Id == "b"));
        }
        finally
        {
            await processor.StopAsync();
        }

        Assert.Contains(received, i => i is { Id: "a", N: 2 });
        Assert.Contains(received, i => i is { Id: "b", Kind: "span" });
    }

    [Fact]
    public async Task Items_past_their_time_to_live_are_no_longer_returned()
    {
        var container = await fixture.NewContainerAsync(defaultTimeToLive: -1);
        await container.CreateItemAsync(new Item("short", "p1", 1, "trace", Ttl: 1), new PartitionKey("p1"));
        await container.CreateItemAsync(new Item("forever", "p1", 2, "trace"), new PartitionKey("p1"));

        // Expiry is checked by polling, not by sleeping for a guess: the item must go within a deadline.
        var created = DateTime.UtcNow;
        var deadline = created.AddSeconds(15);
        HttpStatusCode status;
        while (true)
        {
            using var read = await container.ReadItemStreamAsync("short", new PartitionKey("p1"));
            status = read.StatusCode;
            if (status != HttpStatusCode.OK || DateTime.UtcNow > deadline)
            {
                break;
            }

            await Task.Delay(100);
        }

        var remaining = await QueryAsync<Item>(container, new QueryDefinition("SELECT * FROM c"), "p1");

        Assert.True(status == HttpStatusCode.NotFound, $"still {status} {(DateTime.UtcNow - created).TotalSeconds:F1} s after a 1 s TTL");
        Assert.Equal(["forever"], remaining.Select(i => i.Id));
        using var forever = await container.ReadItemStreamAsync("forever", new PartitionKey("p1"));
        Assert.Equal(HttpStatusCode.OK, forever.StatusCode);
    }

    private static readonly string[] Partitions = ["p1", "p2", "p3"];

    private static IEnumerable<Item> Expected() =>
        from p in Partitions
        from n in Enumerable.Range(1, 4)
        select new Item($"{p}-{n}", p, n, n % 2 == 1 ? "span" : "trace");

    private async Task<Container> SeedAsync()
    {
        var container = await fixture.NewContainerAsync();
        foreach (var item in Expected())
        {
            await container.CreateItemAsync(item, new PartitionKey(item.Pk));
        }

        return container;
    }

    private static async Task<List<T>> QueryAsync<T>(Container container, QueryDefinition query, string? partitionKey = null)
    {
        var options = new QueryRequestOptions { PartitionKey = partitionKey is null ? null : new PartitionKey(partitionKey) };
        using var iterator = container.GetItemQueryIterator<T>(query, requestOptions: options);
        var results = new List<T>();
        while (iterator.HasMoreResults)
        {
            results.AddRange(await iterator.ReadNextAsync());
        }

        return results;
    }

    private static async Task<(List<Item> Changes, string Continuation)> ReadChangeFeedAsync(Container container, ChangeFeedStartFrom start)
    {
        using var iterator = container.GetChangeFeedIterator<Item>(start, ChangeFeedMode.LatestVersion, new ChangeFeedRequestOptions { PageSizeHint = 2 });
        var changes = new List<Item>();
        while (true)
        {
            var page = await iterator.ReadNextAsync();
            if (page.StatusCode == HttpStatusCode.NotModified)
            {
                return (changes, page.ContinuationToken);
            }

            changes.AddRange(page);
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "Timed out waiting for the change feed processor.");
            await Task.Delay(50);
        }
    }
}
