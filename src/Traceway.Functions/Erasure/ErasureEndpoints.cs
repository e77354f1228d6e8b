using Microsoft.AspNetCore.Http.HttpResults;
using Traceway.Deletion;
using Traceway.Hosting;
using Traceway.Projects;

namespace Traceway.Erasure;

internal static class ErasureEndpoints
{
    /// <summary>Admin: erase every trace of one end user of a project (GDPR Article 17), as a stored job.</summary>
    public static RouteGroupBuilder MapErasure(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/projects/{projectId}/erasures").RequireScope(Scopes.Admin);
        group.MapPost("", StartErasure).WithSummary("Start erasing every trace of an end user of the project").WithMetadata(new DocumentedBody(typeof(ErasureRequest)));
        group.MapGet("/{id}", GetErasure).WithSummary("An erasure's progress and, when done, what it removed");
        return group;
    }

    internal static async Task<Results<Accepted<ErasureView>, ValidationProblem, ProblemHttpResult>> StartErasure(
        string projectId, HttpRequest request, ProjectStore projects, ErasureJobs jobs, ErasureWorker worker, CancellationToken cancellationToken)
    {
        var (body, problem) = await JsonBody.ReadAsync<ErasureRequest>(request, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        if (body?.UserId is not { Length: > 0 and <= 1000 } userId)
        {
            const string Message = "userId is required: the user id the traces carry, 1-1000 characters.";
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["userId"] = [Message] }, detail: Message);
        }

        if (await projects.FindProjectAsync(projectId, cancellationToken) is null)
        {
            return ProjectEndpoints.ProjectNotFound(projectId);
        }

        var job = await jobs.CreateAsync(projectId, userId, cancellationToken);
        worker.Wake();
        return TypedResults.Accepted($"/api/projects/{projectId}/erasures/{job.ErasureId}", ErasureView.From(job));
    }

    internal static async Task<Results<Ok<ErasureView>, ProblemHttpResult>> GetErasure(string projectId, string id, ErasureJobs jobs, CancellationToken cancellationToken) =>
        await jobs.FindAsync(projectId, id, cancellationToken) is { } job
            ? TypedResults.Ok(ErasureView.From(job))
            : TypedResults.Problem(statusCode: 404, title: "Erasure not found", detail: $"Project '{projectId}' has no erasure '{id}'.");

    internal sealed record ErasureRequest(string? UserId);

    /// <summary>An erasure as the API shows it: <c>removed</c> counts what is gone so far (all of it once <c>done</c>).</summary>
    internal sealed record ErasureView(string Id, string UserId, string Status, DeletionCounts Removed, DateTimeOffset CreatedAt, DateTimeOffset? CompletedAt, string? Error)
    {
        public static ErasureView From(ErasureJob job) => new(job.ErasureId, job.UserId, job.Status, job.Removed, job.CreatedAt, job.CompletedAt, job.Error);
    }
}
