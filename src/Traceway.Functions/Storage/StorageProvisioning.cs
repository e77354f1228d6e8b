using Microsoft.Extensions.Options;

namespace Traceway.Storage;

/// <summary>
/// Creates the database, containers and payload container when missing, before the app serves requests.
/// Used against the local emulators only; in Azure the Bicep templates own these resources.
/// </summary>
internal sealed partial class StorageProvisioning(TracewayStores stores, IOptions<CosmosOptions> cosmos, ILogger<StorageProvisioning> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var schema = CosmosSchema.Current;
        var database = (await stores.Cosmos.CreateDatabaseIfNotExistsAsync(cosmos.Value.DatabaseName, cancellationToken: cancellationToken)).Database;
        foreach (var container in schema.Containers)
        {
            await database.CreateContainerIfNotExistsAsync(container.ToContainerProperties(), cancellationToken: cancellationToken);
        }

        await stores.Payloads.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        LogProvisioned(logger, database.Id, schema.Containers.Count, stores.Payloads.Name);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Storage ready: database {Database} with {ContainerCount} containers, blob container {PayloadContainer}")]
    private static partial void LogProvisioned(ILogger logger, string database, int containerCount, string payloadContainer);
}
