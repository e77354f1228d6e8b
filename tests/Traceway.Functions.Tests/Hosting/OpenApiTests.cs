using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Traceway.Tests.Infrastructure;

namespace Traceway.Tests.Hosting;

public sealed class OpenApiTests(TracewayApp app) : IClassFixture<TracewayApp>
{
    [Fact]
    public async Task The_OpenAPI_document_describes_every_API_endpoint_with_its_parameters_and_responses()
    {
        using var client = app.CreateClient();

        using var response = await client.GetAsync(new Uri("/api/openapi.json", UriKind.Relative));
        var document = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        var paths = document["paths"]!.AsObject();
        var routes = app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Select(e => "/" + e.RoutePattern.RawText!.TrimStart('/'))
            .Where(r => r.StartsWith("/api/", StringComparison.Ordinal) && r != "/api/openapi.json")
            .Select(r => r.TrimEnd('/'))
            .Distinct();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.All(routes, route => Assert.True(paths.ContainsKey(route), $"{route} is not in the document"));
        var list = paths["/api/sessions"]!["get"]!;
        Assert.Equal(
            ["from", "to", "status", "minCost", "maxCost", "tag", "model", "userId", "orderBy", "order", "limit", "cursor"],
            list["parameters"]!.AsArray().Select(p => (string?)p!["name"]));
        Assert.NotNull(list["responses"]!["200"]);
        Assert.NotNull(list["responses"]!["400"]);
        var schemas = document["components"]!["schemas"]!.AsObject();
        var sessionView = schemas["SessionView"]!;
        Assert.Contains("maxInputTokens", sessionView["properties"]!.AsObject().Select(p => p.Key));
        Assert.NotNull(paths["/api/ingest"]!["post"]!["requestBody"]);
        Assert.NotNull(document["components"]!["securitySchemes"]!["apiKey"]);
    }
}
