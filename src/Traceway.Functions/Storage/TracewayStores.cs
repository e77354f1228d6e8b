using Azure.Storage.Blobs;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.Options;

namespace Traceway.Storage;

/// <summary>The Cosmos containers and the blob container Traceway reads and writes.</summary>
internal sealed class TracewayStores(CosmosClient cosmos, BlobServiceClient blobs, IOptions<CosmosOptions> cosmosOptions, IOptions<BlobOptions> blobOptions)
{
    public CosmosClient Cosmos { get; } = cosmos;

    public Database Database { get; } = cosmos.GetDatabase(cosmosOptions.Value.DatabaseName);

    public Container Traces => Database.GetContainer(CosmosSchema.Traces);

    public Container Summaries => Database.GetContainer(CosmosSchema.Summaries);

    public Container Projects => Database.GetContainer(CosmosSchema.Projects);

    public Container TraceIndex => Database.GetContainer(CosmosSchema.TraceIndex);

    public Container Leases => Database.GetContainer(CosmosSchema.Leases);

    public BlobContainerClient Payloads { get; } = blobs.GetBlobContainerClient(blobOptions.Value.PayloadContainer);
}
