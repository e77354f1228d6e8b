using Microsoft.AspNetCore.OpenApi;
using Microsoft.Azure.Functions.Worker;

namespace Traceway.Hosting;

/// <summary>The Functions hosting of <c>GET /api/openapi.json</c>.</summary>
internal sealed class OpenApiFunction(DescribedRouteTable routes)
{
    [Function("OpenApi")]
    public Task<IResult> GetDocument([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/openapi.json")] HttpRequest request, CancellationToken cancellationToken) =>
        HttpFunction.RunAnonymousAsync(request, async () => await OpenApiDocumentation.ServeAsync(routes.DocumentProvider, cancellationToken));
}

/// <summary>
/// The OpenAPI generator reads an ASP.NET Core route table, which the worker does not have; so under the
/// Functions host the document comes from the standalone route table, built once per instance with the same
/// services and never started: one source for the document in both hostings.
/// </summary>
internal sealed class DescribedRouteTable(IConfiguration configuration) : IDisposable
{
    private readonly Lazy<WebApplication> _app = new(() =>
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration.AddConfiguration(configuration);
        builder.Services.AddTraceway(builder.Configuration);
        var app = builder.Build();
        app.MapTraceway();
        // Publishes the mapped endpoints to the route options the OpenAPI generator reads, as starting the app would.
        app.UseRouting();
        app.UseEndpoints(_ => { });
        return app;
    });

    public IOpenApiDocumentProvider DocumentProvider => _app.Value.Services.GetRequiredKeyedService<IOpenApiDocumentProvider>(OpenApiDocumentation.DocumentName);

    public void Dispose()
    {
        if (_app.IsValueCreated)
        {
            ((IDisposable)_app.Value).Dispose();
        }
    }
}
