using Microsoft.Azure.Functions.Worker;
using Traceway.Hosting;
using Traceway.Projects;

namespace Traceway.Deletion;

/// <summary>The Functions hosting of <see cref="DeletionEndpoints"/> (scope <c>delete</c>, or the admin key).</summary>
internal sealed class DeletionFunctions(ProjectStore projects, TraceDeletion deletion)
{
    [Function("DeleteSession")]
    public Task<IResult> DeleteSession(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "api/sessions/{sessionId}")] HttpRequest request, string sessionId, CancellationToken cancellationToken) =>
        HttpFunction.RunAsync(request, Scopes.Delete, user => DeletionEndpoints.DeleteSession(sessionId, request.HttpContext, user, projects, deletion, cancellationToken));

    [Function("DeleteTrace")]
    public Task<IResult> DeleteTrace(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "api/traces/{traceId}")] HttpRequest request, string traceId, CancellationToken cancellationToken) =>
        HttpFunction.RunAsync(request, Scopes.Delete, user => DeletionEndpoints.DeleteTrace(traceId, request.HttpContext, user, projects, deletion, cancellationToken));
}
