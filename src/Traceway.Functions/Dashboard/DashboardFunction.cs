using Microsoft.Azure.Functions.Worker;
using Traceway.Hosting;

namespace Traceway.Dashboard;

/// <summary>
/// The Functions hosting of <see cref="DashboardEndpoints"/>: a catch-all route, which is why host.json's
/// <c>routePrefix</c> is empty and every other function's route starts with <c>api/</c> itself.
/// </summary>
internal sealed class DashboardFunction(DashboardFiles files)
{
    [Function("Dashboard")]
    public Task<IResult> Serve([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "{*path}")] HttpRequest request, string? path) =>
        HttpFunction.RunAnonymousAsync(request, () => Task.FromResult(DashboardEndpoints.Serve(path, request.HttpContext, files)));
}
