using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;
using Traceway.Hosting;
using Traceway.Projects;

namespace Traceway.Ingestion.Otlp;

/// <summary>The Functions hosting of <see cref="OtlpEndpoints"/>.</summary>
internal sealed class OtlpFunction(IngestPipeline pipeline, IngestLimits limits, IOptions<IngestOptions> options)
{
    [Function("OtlpTraces")]
    public Task<IResult> Export([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/otel/v1/traces")] HttpRequest request, CancellationToken cancellationToken) =>
        HttpFunction.RunAsync(request, Scopes.Ingest, user => OtlpEndpoints.Export(request.HttpContext, user, pipeline, limits, options, cancellationToken));
}
