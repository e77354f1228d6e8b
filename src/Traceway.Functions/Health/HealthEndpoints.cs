using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Traceway.Hosting;

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
    public static IEndpointConventionBuilder MapHealth(this IEndpointRouteBuilder app) =>
        app.MapHealthChecks("/api/health", new HealthCheckOptions { ResponseWriter = WriteReport })
            .WithMetadata(new HttpMethodMetadata([HttpMethods.Get]));

    private static Task WriteReport(HttpContext context, HealthReport report)
    {
        var body = new HealthResponse(
            Describe(report.Status),
            report.Entries.ToDictionary(
                e => e.Key,
                e => new HealthCheckResponse(Describe(e.Value.Status), (long)e.Value.Duration.TotalMilliseconds, e.Value.Description ?? e.Value.Exception?.Message)));
        context.Response.ContentType = "application/json";
        return JsonSerializer.SerializeAsync(context.Response.Body, body, TracewayJson.Options, context.RequestAborted);
    }

    private static string Describe(HealthStatus status) => status switch
    {
        HealthStatus.Healthy => "healthy",
        HealthStatus.Degraded => "degraded",
        _ => "unhealthy",
    };

    private sealed record HealthResponse(string Status, IReadOnlyDictionary<string, HealthCheckResponse> Checks);

    private sealed record HealthCheckResponse(string Status, long DurationMs, string? Error);
}
