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

    /// <summary>The parameters of API.md per query endpoint; each is also read by the endpoint's query type (unit tests).</summary>
    public static TheoryData<string, string[]> QueryEndpoints => new()
    {
        { "/api/sessions", ["from", "to", "status", "minCost", "maxCost", "tag", "model", "userId", "orderBy", "order", "limit", "cursor"] },
        { "/api/stats/sessions", ["from", "to", "status", "minCost", "maxCost", "tag", "model", "userId"] },
        { "/api/sessions/{sessionId}", ["limit", "cursor"] },
        { "/api/sessions/{sessionId}/replay", ["limit", "cursor"] },
        { "/api/traces", ["sessionId", "from", "to", "status", "tag", "model", "userId", "name", "orderBy", "order", "limit", "cursor"] },
    };

    [Theory]
    [MemberData(nameof(QueryEndpoints))]
    public async Task Every_query_endpoint_documents_each_of_its_query_parameters_with_a_description_and_type(string path, string[] parameters)
    {
        using var client = app.CreateClient();

        var document = JsonNode.Parse(await client.GetStringAsync(new Uri("/api/openapi.json", UriKind.Relative)))!;

        var documented = document["paths"]![path]!["get"]!["parameters"]!.AsArray().Where(p => (string?)p!["in"] == "query").ToList();
        Assert.Equal(parameters, documented.Select(p => (string?)p!["name"]));
        Assert.All(documented, p => Assert.False(string.IsNullOrEmpty((string?)p!["description"]), p!.ToJsonString()));
        var schemas = documented.ToDictionary(p => (string)p!["name"]!, p => p!["schema"]!);
        Assert.All(schemas, p => Assert.True(p.Value["type"] is not null, $"{p.Key}: {p.Value.ToJsonString()}"));
        Assert.True(!schemas.TryGetValue("limit", out var limit) || limit["type"]!.ToJsonString().Contains("\"integer\"", StringComparison.Ordinal), limit?.ToJsonString());
        Assert.True(!schemas.TryGetValue("tag", out var tag) || (string?)tag["type"] == "array", tag?.ToJsonString());
        Assert.True(!schemas.TryGetValue("from", out var from) || ((string?)from["type"], (string?)from["format"]) == ("string", "date-time"), from?.ToJsonString());
    }
}
