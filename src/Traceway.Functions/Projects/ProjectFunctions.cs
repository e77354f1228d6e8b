using Microsoft.Azure.Functions.Worker;
using Traceway.Hosting;

namespace Traceway.Projects;

/// <summary>The Functions hosting of <see cref="ProjectEndpoints"/> (admin key).</summary>
internal sealed class ProjectFunctions(ProjectStore store)
{
    [Function("ListProjects")]
    public Task<IResult> ListProjects([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/projects")] HttpRequest request, CancellationToken cancellationToken) =>
        HttpFunction.RunAsync(request, Scopes.Admin, _ => ProjectEndpoints.ListProjects(store, cancellationToken));

    [Function("GetProject")]
    public Task<IResult> GetProject(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/projects/{projectId}")] HttpRequest request, string projectId, CancellationToken cancellationToken) =>
        HttpFunction.RunAsync(request, Scopes.Admin, _ => ProjectEndpoints.GetProject(projectId, store, cancellationToken));

    [Function("UpdateProject")]
    public Task<IResult> UpdateProject(
        [HttpTrigger(AuthorizationLevel.Anonymous, "patch", Route = "api/projects/{projectId}")] HttpRequest request, string projectId, CancellationToken cancellationToken) =>
        HttpFunction.RunAsync(request, Scopes.Admin, _ => ProjectEndpoints.UpdateProject(projectId, request, store, cancellationToken));

    [Function("ListKeys")]
    public Task<IResult> ListKeys(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/projects/{projectId}/keys")] HttpRequest request, string projectId, CancellationToken cancellationToken) =>
        HttpFunction.RunAsync(request, Scopes.Admin, _ => ProjectEndpoints.ListKeys(projectId, store, cancellationToken));

    [Function("CreateProject")]
    public Task<IResult> CreateProject([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/projects")] HttpRequest request, CancellationToken cancellationToken) =>
        HttpFunction.RunAsync(request, Scopes.Admin, _ => ProjectEndpoints.CreateProject(request, store, cancellationToken));

    [Function("CreateKey")]
    public Task<IResult> CreateKey(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/projects/{projectId}/keys")] HttpRequest request, string projectId, CancellationToken cancellationToken) =>
        HttpFunction.RunAsync(request, Scopes.Admin, _ => ProjectEndpoints.CreateKey(projectId, request, store, cancellationToken));

    [Function("DeleteKey")]
    public Task<IResult> DeleteKey(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "api/projects/{projectId}/keys/{keyId}")] HttpRequest request, string projectId, string keyId, CancellationToken cancellationToken) =>
        HttpFunction.RunAsync(request, Scopes.Admin, _ => ProjectEndpoints.DeleteKey(projectId, keyId, store, cancellationToken));
}
