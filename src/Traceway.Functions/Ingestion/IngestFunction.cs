using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;
using Traceway.Hosting;
using Traceway.Projects;

namespace Traceway.Ingestion;

/// <summary>The Functions hosting of <see cref="IngestEndpoints"/>.</summary>
internal sealed class IngestFunction(IngestPipeline pipeline, IngestLimits limits, IOptions<IngestOptions> options)
{
    [Function("Ingest")]
    public Task<IResult> Ingest([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/ingest")] HttpRequest request, CancellationToken cancellationToken) =>
        HttpFunction.RunAsync(request, Scopes.Ingest, user => IngestEndpoints.Ingest(request.HttpContext, user, pipeline, limits, options, cancellationToken));
}
