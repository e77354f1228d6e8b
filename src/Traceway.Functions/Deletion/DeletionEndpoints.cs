using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Traceway.Hosting;
using Traceway.Projects;

namespace Traceway.Deletion;

internal static class DeletionEndpoints
{
    /// <summary>
    /// <c>DELETE /api/sessions/{sessionId}</c> and <c>DELETE /api/traces/{traceId}</c>: a key with the <c>delete</c> scope
    /// deletes in its own project; the admin key names the project with <c>?projectId=</c>.
    /// </summary>
    public static IEndpointRouteBuilder MapDeletion(this IEndpointRouteBuilder app)
    {
        app.MapDelete("/api/sessions/{sessionId}", DeleteSession).RequireScope(Scopes.Delete)
            .WithSummary("Delete a session: its traces, spans, summaries, index entries and payload blobs");
        app.MapDelete("/api/traces/{traceId}", DeleteTrace).RequireScope(Scopes.Delete)
            .WithSummary("Delete a trace with its spans and payload blobs; its session summary is recomputed");
        return app;
    }

    internal static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> DeleteSession(
        string sessionId, HttpContext context, ClaimsPrincipal user, ProjectStore projects, TraceDeletion deletion, CancellationToken cancellationToken)
    {
        sessionId = RawRouteValues.Exact(context, nameof(sessionId), sessionId);
        var (projectId, problem) = await ProjectOfAsync(context, user, projects, cancellationToken);
        if (projectId is null)
        {
            return problem!;
        }

        return await deletion.DeleteSessionAsync(projectId, sessionId, cancellationToken)
            ? TypedResults.NoContent()
            : TypedResults.Problem(statusCode: 404, title: "Session not found", detail: $"This project has no session '{sessionId}'.");
    }

    internal static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> DeleteTrace(
        string traceId, HttpContext context, ClaimsPrincipal user, ProjectStore projects, TraceDeletion deletion, CancellationToken cancellationToken)
    {
        traceId = RawRouteValues.Exact(context, nameof(traceId), traceId);
        var (projectId, problem) = await ProjectOfAsync(context, user, projects, cancellationToken);
        if (projectId is null)
        {
            return problem!;
        }

        return await deletion.DeleteTraceAsync(projectId, traceId, cancellationToken)
            ? TypedResults.NoContent()
            : TypedResults.Problem(statusCode: 404, title: "Trace not found", detail: $"This project has no trace '{traceId}'.");
    }

    /// <summary>A project key's own project; for the admin key, the existing project named by <c>?projectId=</c>.</summary>
    private static async Task<(string? ProjectId, Results<NoContent, ValidationProblem, ProblemHttpResult>? Problem)> ProjectOfAsync(HttpContext context, ClaimsPrincipal user, ProjectStore projects, CancellationToken cancellationToken)
    {
        if (user.FindFirst(ApiKeyAuthenticator.ProjectClaim) is { } claim)
        {
            return (claim.Value, null);
        }

        var projectId = context.Request.Query["projectId"].ToString();
        if (projectId.Length == 0)
        {
            const string Message = "The admin key deletes in the project named by the query parameter 'projectId'.";
            return (null, TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["projectId"] = [Message] }, detail: Message, title: "The project to delete in is missing"));
        }

        if (await projects.FindProjectAsync(projectId, cancellationToken) is null)
        {
            return (null, ProjectEndpoints.ProjectNotFound(projectId));
        }

        return (projectId, null);
    }
}
