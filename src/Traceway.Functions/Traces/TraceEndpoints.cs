using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Traceway.Hosting;
using Traceway.Projects;
using Traceway.Storage;

namespace Traceway.Traces;

internal static class TraceEndpoints
{
    /// <summary>Trace queries (scope <c>read</c>), always within the calling key's project.</summary>
    public static RouteGroupBuilder MapTraces(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/traces").RequireScope(Scopes.Read);
        group.MapGet("", ListTraces).WithSummary("List and filter the project's traces");
        group.MapGet("/{traceId}", GetTrace).WithSummary("A trace with its spans, payloads complete");
        return group;
    }

    internal static async Task<Results<Ok<Page<TraceSummaryView>>, ValidationProblem>> ListTraces(
        Query<TraceListQuery> query, ClaimsPrincipal user, TraceReader reader, CancellationToken cancellationToken)
    {
        if (!query.IsValid(out var parameters, out var problem))
        {
            return problem;
        }

        var (page, cursorError) = await reader.ListAsync(user.ProjectId(), parameters, cancellationToken);
        return page is null
            ? TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["cursor"] = [cursorError!] }, title: "Invalid cursor")
            : TypedResults.Ok(page);
    }

    internal static async Task<Results<Ok<TraceView>, ProblemHttpResult>> GetTrace(string traceId, HttpContext context, ClaimsPrincipal user, TraceReader reader, CancellationToken cancellationToken)
    {
        traceId = RawRouteValues.Exact(context, nameof(traceId), traceId);
        return await reader.FindAsync(user.ProjectId(), traceId, cancellationToken) is { } trace
            ? TypedResults.Ok(trace)
            : TypedResults.Problem(statusCode: 404, title: "Trace not found", detail: $"This project has no trace '{traceId}'.");
    }
}
