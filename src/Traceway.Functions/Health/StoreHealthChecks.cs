using Microsoft.Extensions.Diagnostics.HealthChecks;
using Traceway.Storage;

namespace Traceway.Health;

/// <summary>Cosmos DB answers and holds the traces container.</summary>
internal sealed class CosmosHealthCheck(TracewayStores stores) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        await stores.Traces.ReadContainerAsync(cancellationToken: cancellationToken);
        return HealthCheckResult.Healthy();
    }
}

/// <summary>Blob storage answers and holds the payload container.</summary>
internal sealed class BlobHealthCheck(TracewayStores stores) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var exists = await stores.Payloads.ExistsAsync(cancellationToken);
        return exists.Value
            ? HealthCheckResult.Healthy()
            : HealthCheckResult.Unhealthy($"Blob container '{stores.Payloads.Name}' does not exist.");
    }
}
