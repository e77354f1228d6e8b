using System.ComponentModel;
using System.Reflection;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Traceway.Hosting;

/// <summary>A JSON request body an endpoint reads itself, declared for the OpenAPI document.</summary>
internal sealed record DocumentedBody(Type Type);

/// <summary>
/// <c>GET /api/openapi.json</c>: the OpenAPI document of every endpoint, so dashboards can generate clients.
/// Query parameters that handlers read themselves (to name each bad one in a 400) are described from their
/// <see cref="IQueryParameters{TSelf}"/> type, and the API-key scheme is added once for the whole document.
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
            // Times have their own converter (UtcTimestampConverter), so the generator knows their format but not that they are strings.
            options.AddSchemaTransformer((schema, context, _) =>
            {
                if (context.JsonTypeInfo.Type == typeof(DateTimeOffset))
                {
                    schema.Type = JsonSchemaType.String;
                }
                else if (context.JsonTypeInfo.Type == typeof(DateTimeOffset?))
                {
                    schema.Type = JsonSchemaType.String | JsonSchemaType.Null;
                }

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

                foreach (var parameters in QueryParameterTypes(context.Description.ActionDescriptor.EndpointMetadata))
                {
                    await DescribeAsync(operation, parameters, context, cancellationToken);
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

    /// <summary>The <see cref="IQueryParameters{TSelf}"/> types a handler binds through <see cref="Query{T}"/>.</summary>
    private static IEnumerable<Type> QueryParameterTypes(IList<object> endpointMetadata) =>
        endpointMetadata.OfType<MethodInfo>().Take(1).SelectMany(handler => handler.GetParameters())
            .Select(p => p.ParameterType)
            .Where(t => t.IsGenericType && t.GetGenericTypeDefinition() == typeof(Query<>))
            .Select(t => t.GetGenericArguments()[0]);

    /// <summary>Adds a query parameter (camelCase name, schema of its type, default) for each property of <paramref name="parameters"/>.</summary>
    private static async Task DescribeAsync(OpenApiOperation operation, Type parameters, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        foreach (var property in QueryProperties(parameters))
        {
            var schema = await context.GetOrCreateSchemaAsync(Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType, cancellationToken: cancellationToken);
            if (property.GetCustomAttribute<DefaultValueAttribute>()?.Value is { } value)
            {
                schema.Default = JsonSerializer.SerializeToNode(value);
            }

            operation.Parameters ??= [];
            operation.Parameters.Add(new OpenApiParameter
            {
                Name = JsonNamingPolicy.CamelCase.ConvertName(property.Name),
                In = ParameterLocation.Query,
                Description = property.GetCustomAttribute<DescriptionAttribute>()!.Description,
                Schema = schema,
            });
        }
    }

    /// <summary>The parameters of an <see cref="IQueryParameters{TSelf}"/> type: its properties with a description, base type's first.</summary>
    public static IEnumerable<PropertyInfo> QueryProperties(Type parameters) =>
        (parameters.BaseType is { } baseType && baseType != typeof(object) ? QueryProperties(baseType) : [])
            .Concat(parameters.GetProperties(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
                .Where(p => p.IsDefined(typeof(DescriptionAttribute))));
}
