using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Traceway.Hosting;

/// <summary>A JSON request body an endpoint reads itself, declared for the OpenAPI document.</summary>
internal sealed record DocumentedBody(Type Type);

/// <summary>A query parameter an endpoint reads and validates itself, declared for the OpenAPI document.</summary>
internal sealed record QueryParameter(string Name, string Description, JsonSchemaType Type = JsonSchemaType.String, bool Repeatable = false);

/// <summary>
/// <c>GET /api/openapi.json</c>: the OpenAPI document of every endpoint, so dashboards can generate clients.
/// Query parameters that handlers parse themselves (to name each bad one in a 400) are declared with
/// <see cref="Documented"/>, and the API-key scheme is added once for the whole document.
/// </summary>
internal static class OpenApiDocumentation
{
    public const string Path = "/api/openapi.json";
    public const string DocumentName = "v1";

    public static IServiceCollection AddTracewayOpenApi(this IServiceCollection services) =>
        services.AddOpenApi(DocumentName, options =>
        {
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Info = new OpenApiInfo { Title = "Traceway API", Version = "v1", Description = "Ingest LLM traces; list, filter and replay sessions." };
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
                document.Components.SecuritySchemes["apiKey"] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.Http,
                    Scheme = "bearer",
                    Description = "A project key (scopes ingest, read) or the admin key; also accepted as the x-api-key header.",
                };
                document.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("apiKey", document)] = [] }];
                return Task.CompletedTask;
            });
            options.AddOperationTransformer(async (operation, context, cancellationToken) =>
            {
                if (context.Description.ActionDescriptor.EndpointMetadata.OfType<DocumentedBody>().FirstOrDefault() is { } body)
                {
                    operation.RequestBody = new OpenApiRequestBody
                    {
                        Required = true,
                        Content = new Dictionary<string, OpenApiMediaType>
                        {
                            ["application/json"] = new() { Schema = await context.GetOrCreateSchemaAsync(body.Type, cancellationToken: cancellationToken) },
                        },
                    };
                }

                foreach (var parameter in context.Description.ActionDescriptor.EndpointMetadata.OfType<QueryParameter>())
                {
                    operation.Parameters ??= [];
                    var schema = new OpenApiSchema { Type = parameter.Type };
                    operation.Parameters.Add(new OpenApiParameter
                    {
                        Name = parameter.Name,
                        In = ParameterLocation.Query,
                        Description = parameter.Description,
                        Schema = parameter.Repeatable ? new OpenApiSchema { Type = JsonSchemaType.Array, Items = schema } : schema,
                        Explode = parameter.Repeatable,
                    });
                }
            });
        });

    /// <summary><c>GET /api/openapi.json</c>, generated from this app's own route table.</summary>
    public static IEndpointConventionBuilder MapTracewayOpenApi(this IEndpointRouteBuilder app) =>
        app.MapGet(Path, ([FromKeyedServices(DocumentName)] IOpenApiDocumentProvider provider, CancellationToken cancellationToken) => ServeAsync(provider, cancellationToken))
            .ExcludeFromDescription();

    /// <summary>The document as JSON (OpenAPI 3.1), the same in both hostings.</summary>
    public static async Task<ContentHttpResult> ServeAsync(IOpenApiDocumentProvider provider, CancellationToken cancellationToken)
    {
        var document = await provider.GetOpenApiDocumentAsync(cancellationToken);
        return TypedResults.Text(await document.SerializeAsJsonAsync(OpenApiSpecVersion.OpenApi3_1, cancellationToken), "application/json; charset=utf-8");
    }

    /// <summary>Declares the query parameters an endpoint reads itself.</summary>
    public static TBuilder Documented<TBuilder>(this TBuilder builder, params QueryParameter[] parameters)
        where TBuilder : IEndpointConventionBuilder => builder.WithMetadata([.. parameters]);
}
