using Microsoft.Azure.Functions.Worker;
using Traceway.Hosting;
using Traceway.Projects;
using Traceway.Storage;

namespace Traceway.Rollups;

/// <summary>The Functions hosting of <see cref="RollupEndpoints"/>. The rollups themselves run in <see cref="ChangeFeedRollups"/>.</summary>
internal sealed class RollupFunctions(ProjectStore projects, TracewayStores stores, RollupHandler handler)
{
    [Function("RebuildSummaries")]
    public Task<IResult> RebuildSummaries(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/projects/{projectId}/rebuild-summaries")] HttpRequest request, string projectId, CancellationToken cancellationToken) =>
        HttpFunction.RunAsync(request, Scopes.Admin, _ => RollupEndpoints.RebuildSummaries(projectId, projects, stores, handler, cancellationToken));
}
