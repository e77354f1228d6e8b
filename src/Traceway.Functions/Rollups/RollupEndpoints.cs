using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Azure.Cosmos;
using Traceway.Projects;
using Traceway.Storage;
using Traceway.Traces;

namespace Traceway.Rollups;

internal static class RollupEndpoints
{
    /// <summary>The function folder name of the cosmosDBTrigger (SessionRollup/function.json) and its binding.</summary>
    public const string FunctionName = "SessionRollup";
    public const string BindingName = "documents";

    // The host reads these names in PascalCase.
    private static readonly JsonSerializerOptions HostJson = new() { PropertyNamingPolicy = null, DefaultIgnoreCondition = JsonIgnoreCondition.Never };

    /// <summary><c>POST /SessionRollup</c>: the Functions host delivers change feed batches here. Mapped only under the host.</summary>
    public static RouteHandlerBuilder MapRollupFunction(this IEndpointRouteBuilder app) =>
        app.MapPost("/" + FunctionName, InvokeRollup);

    /// <summary><c>POST /api/projects/{projectId}/rebuild-summaries</c> (admin): recomputes a project's summaries from its traces.</summary>
    public static RouteHandlerBuilder MapRebuildSummaries(this IEndpointRouteBuilder app) =>
        app.MapPost("/api/projects/{projectId}/rebuild-summaries", RebuildSummaries).RequireAuthorization(Scopes.Admin);

    internal static async Task<IResult> InvokeRollup(HttpContext context, RollupHandler handler, CancellationToken cancellationToken)
    {
        // Only the host, on the same machine, may invoke functions.
        if (context.Connection.RemoteIpAddress is not { } remote || !IPAddress.IsLoopback(remote))
        {
            return TypedResults.StatusCode(StatusCodes.Status403Forbidden);
        }

        IReadOnlyList<JsonElement> documents;
        try
        {
            using var invocation = await JsonDocument.ParseAsync(context.Request.Body, Hosting.TracewayJson.DocumentOptions, cancellationToken);
            documents = HostInvocation.ReadDocuments(invocation.RootElement, BindingName);
        }
        catch (Exception e) when (e is JsonException or FormatException)
        {
            return HostAnswer(StatusCodes.Status400BadRequest, $"Malformed invocation: {e.Message}");
        }

        try
        {
            var result = await handler.HandleAsync(documents, cancellationToken);
            return HostAnswer(StatusCodes.Status200OK,
                $"Rolled up {result.Traces} traces and {result.Sessions} sessions from {documents.Count} changes; wrote {result.TraceSummariesWritten} trace and {result.SessionSummariesWritten} session summaries.");
        }
        catch (Exception e) when (e is CosmosException or InvalidOperationException or HttpRequestException or TimeoutException)
        {
            // A non-2xx fails the invocation, so the host's retry policy delivers the batch again.
            return HostAnswer(StatusCodes.Status500InternalServerError, $"Rollup failed, to be retried: {e.Message}");
        }
    }

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

    private static JsonHttpResult<HostInvocationResult> HostAnswer(int status, string log) =>
        TypedResults.Json(new HostInvocationResult(new Dictionary<string, object>(), [log], null), HostJson, statusCode: status);

    internal sealed record RebuildReport(int Traces, int Sessions, int TraceSummariesWritten, int SessionSummariesWritten);
}
