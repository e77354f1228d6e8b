using Microsoft.Azure.Functions.Worker;
using Traceway.Hosting;
using Traceway.Projects;

namespace Traceway.Erasure;

/// <summary>The Functions hosting of <see cref="ErasureEndpoints"/> (admin key); the jobs run in <see cref="ErasureWorker"/>.</summary>
internal sealed class ErasureFunctions(ProjectStore projects, ErasureJobs jobs, ErasureWorker worker)
{
    [Function("StartErasure")]
    public Task<IResult> StartErasure(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/projects/{projectId}/erasures")] HttpRequest request, string projectId, CancellationToken cancellationToken) =>
        HttpFunction.RunAsync(request, Scopes.Admin, _ => ErasureEndpoints.StartErasure(projectId, request, projects, jobs, worker, cancellationToken));

    [Function("GetErasure")]
    public Task<IResult> GetErasure(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/projects/{projectId}/erasures/{id}")] HttpRequest request, string projectId, string id, CancellationToken cancellationToken) =>
        HttpFunction.RunAsync(request, Scopes.Admin, _ => ErasureEndpoints.GetErasure(projectId, id, jobs, cancellationToken));
}
