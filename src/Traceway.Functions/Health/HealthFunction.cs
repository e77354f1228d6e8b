using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Traceway.Hosting;

namespace Traceway.Health;

/// <summary>The Functions hosting of <see cref="HealthEndpoints"/>.</summary>
internal sealed class HealthFunction(HealthCheckService health)
{
    [Function("Health")]
    public Task<IResult> CheckHealth([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/health")] HttpRequest request, CancellationToken cancellationToken) =>
        HttpFunction.RunAnonymousAsync(request, () => HealthEndpoints.CheckHealth(health, cancellationToken));
}
