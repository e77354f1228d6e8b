using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Azure.Cosmos;
using Traceway.Projects;
using Traceway.Storage;
using Traceway.Documents;

namespace Traceway.Rollups;

internal static class RollupEndpoints
{
    /// <summary><c>POST /api/projects/{projectId}/rebuild-summaries</c> (admin): recomputes a project's summaries from its traces.</summary>
    public static RouteHandlerBuilder MapRebuildSummaries(this IEndpointRouteBuilder app) =>
        app.MapPost("/api/projects/{projectId}/rebuild-summaries", RebuildSummaries).RequireScope(Scopes.Admin)
            .WithSummary("Recompute every summary of a project from its stored traces");

    internal static async Task<Results<Ok<RebuildReport>, ProblemHttpResult>> RebuildSummaries(
        string projectId, ProjectStore projects, TracewayStores stores, RollupHandler handler, CancellationToken cancellationToken)
    {
        if (await projects.FindProjectAsync(projectId, cancellationToken) is null)
        {
            return TypedResults.Problem(statusCode: 404, title: "Project not found", detail: $"No project has the id '{projectId}'.");
        }

        var query = new QueryDefinition("SELECT * FROM c WHERE c.projectId = @projectId").WithParameter("@projectId", projectId);
        var traces = new List<AffectedTrace>();
        using (var iterator = stores.TraceIndex.GetItemQueryIterator<TraceLocation>(query))
        {
            while (iterator.HasMoreResults)
            {
                traces.AddRange((await iterator.ReadNextAsync(cancellationToken)).Select(l => new AffectedTrace(l.ProjectId, l.Pk, l.TraceId, l.SessionId)));
            }
        }

        var result = await handler.RollUpAsync(traces, cancellationToken);
        return TypedResults.Ok(new RebuildReport(result.Traces, result.Sessions, result.TraceSummariesWritten, result.SessionSummariesWritten));
    }

    internal sealed record RebuildReport(int Traces, int Sessions, int TraceSummariesWritten, int SessionSummariesWritten);
}
