using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.DependencyInjection;
using Traceway.Storage;
using Traceway.Tests.Infrastructure;

namespace Traceway.Tests.Storage;

public sealed class CosmosSchemaTests
{
    [Fact]
    public void The_schema_declares_every_container_of_the_data_model_with_its_partition_key()
    {
        var containers = CosmosSchema.Current.Containers.ToDictionary(c => c.Name, c => c.PartitionKeyPath);

        Assert.Equal("traceway", CosmosSchema.Current.DatabaseName);
        Assert.Equal(
            new Dictionary<string, string>
            {
                [CosmosSchema.Traces] = "/pk",
                [CosmosSchema.Summaries] = "/pk",
                [CosmosSchema.Projects] = "/id",
                [CosmosSchema.TraceIndex] = "/id",
                [CosmosSchema.Leases] = "/id",
            },
            containers);
    }

    [Fact]
    public void The_traces_container_does_not_index_payloads()
    {
        var traces = CosmosSchema.Current.Containers.Single(c => c.Name == CosmosSchema.Traces).ToContainerProperties();

        Assert.Equal(
            ["/input/*", "/output/*", "/metadata/*", "/attributes/*"],
            traces.IndexingPolicy.ExcludedPaths.Select(p => p.Path).Where(p => !p.Contains("_etag", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task On_start_in_local_mode_the_database_and_every_container_are_created()
    {
        await using var app = new TracewayApp();
        await app.InitializeAsync();
        var database = app.Services.GetRequiredService<CosmosClient>().GetDatabase(app.DatabaseName);

        foreach (var expected in CosmosSchema.Current.Containers)
        {
            var actual = (await database.GetContainer(expected.Name).ReadContainerAsync()).Resource;
            Assert.Equal(expected.PartitionKeyPath, actual.PartitionKeyPath);
        }

        Assert.True((await app.Services.GetRequiredService<TracewayStores>().Payloads.ExistsAsync()).Value);
    }
}
