using Microsoft.Azure.Functions.Worker;
using Traceway.Hosting;
using Traceway.Projects;

namespace Traceway.Traces;

/// <summary>The Functions hosting of <see cref="TraceEndpoints"/>.</summary>
internal sealed class TraceFunctions(TraceReader reader)
{
    [Function("ListTraces")]
    public Task<IResult> ListTraces([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/traces")] HttpRequest request, CancellationToken cancellationToken) =>
        HttpFunction.RunAsync(request, Scopes.Read, user => TraceEndpoints.ListTraces(Query<TraceListQuery>.Read(request.Query), user, reader, cancellationToken));

    [Function("GetTrace")]
    public Task<IResult> GetTrace(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/traces/{traceId}")] HttpRequest request, string traceId, CancellationToken cancellationToken) =>
        HttpFunction.RunAsync(request, Scopes.Read, user => TraceEndpoints.GetTrace(traceId, request.HttpContext, user, reader, cancellationToken));
}
