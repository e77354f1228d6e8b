using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Traceway.Health;

internal static class HealthEndpoints
{
    private static readonly TimeSpan CheckTimeout = TimeSpan.FromSeconds(5);

    public static IServiceCollection AddTracewayHealth(this IServiceCollection services)
    {
        services.AddHealthChecks()
            .AddCheck<CosmosHealthCheck>("cosmos", timeout: CheckTimeout)
            .AddCheck<BlobHealthCheck>("blob", timeout: CheckTimeout);
        return services;
    }

    /// <summary><c>GET /api/health</c>: 200 when Cosmos DB and Blob storage answer, else 503; open to anyone.</summary>
    public static RouteHandlerBuilder MapHealth(this IEndpointRouteBuilder app) =>
        app.MapGet("/api/health", CheckHealth).WithSummary("Whether Cosmos DB and Blob storage answer");

    internal static async Task<Results<Ok<HealthResponse>, JsonHttpResult<HealthResponse>>> CheckHealth(HealthCheckService health, CancellationToken cancellationToken)
    {
        var report = await health.CheckHealthAsync(cancellationToken);
        var body = new HealthResponse(
            Describe(report.Status),
            report.Entries.ToDictionary(
                e => e.Key,
                e => new HealthCheckResponse(Describe(e.Value.Status), (long)e.Value.Duration.TotalMilliseconds, e.Value.Description ?? e.Value.Exception?.Message)));
        return report.Status == HealthStatus.Unhealthy ? TypedResults.Json(body, statusCode: StatusCodes.Status503ServiceUnavailable) : TypedResults.Ok(body);
    }

    private static string Describe(HealthStatus status) => status switch
    {
        HealthStatus.Healthy => "healthy",
        HealthStatus.Degraded => "degraded",
        _ => "unhealthy",
    };

    internal sealed record HealthResponse(string Status, IReadOnlyDictionary<string, HealthCheckResponse> Checks);

    internal sealed record HealthCheckResponse(string Status, long DurationMs, string? Error);
}
