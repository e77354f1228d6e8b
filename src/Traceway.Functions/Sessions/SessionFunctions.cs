using Microsoft.Azure.Functions.Worker;
using Traceway.Hosting;
using Traceway.Models;
using Traceway.Projects;

namespace Traceway.Sessions;

/// <summary>The Functions hosting of <see cref="SessionEndpoints"/>; query parameters read by the same <see cref="Query{T}"/> path.</summary>
internal sealed class SessionFunctions(SessionReader reader, ModelCatalog models)
{
    [Function("ListSessions")]
    public Task<IResult> ListSessions([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/sessions")] HttpRequest request, CancellationToken cancellationToken) =>
        HttpFunction.RunAsync(request, Scopes.Read, user => SessionEndpoints.ListSessions(Query<SessionListQuery>.Read(request.Query), user, reader, cancellationToken));

    [Function("GetSession")]
    public Task<IResult> GetSession(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/sessions/{sessionId}")] HttpRequest request, string sessionId, CancellationToken cancellationToken) =>
        HttpFunction.RunAsync(request, Scopes.Read, user => SessionEndpoints.GetSession(sessionId, Query<SessionPageQuery>.Read(request.Query), request.HttpContext, user, reader, cancellationToken));

    [Function("ReplaySession")]
    public Task<IResult> ReplaySession(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/sessions/{sessionId}/replay")] HttpRequest request, string sessionId, CancellationToken cancellationToken) =>
        HttpFunction.RunAsync(request, Scopes.Read, user => SessionEndpoints.ReplaySession(sessionId, Query<SessionPageQuery>.Read(request.Query), request.HttpContext, user, reader, models, cancellationToken));

    [Function("GetSessionStats")]
    public Task<IResult> GetSessionStats([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/stats/sessions")] HttpRequest request, CancellationToken cancellationToken) =>
        HttpFunction.RunAsync(request, Scopes.Read, user => SessionEndpoints.GetSessionStats(Query<SessionFilter>.Read(request.Query), user, reader, cancellationToken));
}
