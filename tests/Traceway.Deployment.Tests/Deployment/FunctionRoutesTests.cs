using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Traceway.Tests.Deployment;

/// <summary>
/// The routes of the two hostings held to each other: the functions the worker SDK generated into the
/// published functions.metadata (what the Functions host serves) and the standalone app's route table.
/// </summary>
[Collection(PackageTestGroup.Name)]
public sealed partial class FunctionRoutesTests(PackageFixture package)
{
    /// <summary>Routes of API.md whose issue is still open: none of them may exist yet in either hosting.</summary>
    private static readonly Dictionary<string, string> NotBuiltYet = new(StringComparer.Ordinal)
    {
    };

    [Fact]
    public async Task The_published_functions_and_the_standalone_route_table_serve_the_same_routes_and_methods()
    {
        var published = package.Functions.Http.SelectMany(f => f.Methods.Select(m => $"{m} {f.Route}")).Order(StringComparer.Ordinal).ToList();
        var standalone = (await StandaloneRoutesAsync()).Order(StringComparer.Ordinal).ToList();

        Assert.NotEmpty(published);
        Assert.Equal(standalone, published);
    }

    [Fact]
    public void Every_route_of_the_API_contract_is_a_published_function_with_its_method()
    {
        var contract = ContractRoutes();
        var missing = contract.Where(r => !NotBuiltYet.ContainsKey(r) && !IsPublished(r)).ToList();
        var builtButListedAsNotBuilt = NotBuiltYet.Keys.Where(IsPublished).ToList();

        Assert.Contains("POST /api/ingest", contract);
        Assert.True(missing.Count == 0, "API.md routes without a function: " + string.Join("; ", missing));
        Assert.True(builtButListedAsNotBuilt.Count == 0, "Built now, take them off NotBuiltYet: " + string.Join("; ", builtButListedAsNotBuilt));
    }

    /// <summary>The dashboard's catch-all: every path no API route owns, "/" included.</summary>
    private const string DashboardRoute = "/{*path}";

    [Fact]
    public void HTTP_functions_are_anonymous_because_Traceway_checks_its_own_keys_and_every_API_route_is_under_api()
    {
        // An empty prefix leaves "/" to the dashboard; the API routes carry "api/" themselves.
        Assert.Equal("", package.Functions.RoutePrefix);
        Assert.All(package.Functions.Http, function =>
        {
            Assert.Equal("anonymous", function.HttpTrigger!.Value.GetProperty("authLevel").GetString(), StringComparer.OrdinalIgnoreCase);
            Assert.DoesNotContain("/api/api/", function.Route, StringComparison.OrdinalIgnoreCase);
            Assert.True(function.Route == DashboardRoute || function.Route.StartsWith("/api/", StringComparison.Ordinal), $"{function} is neither under /api/ nor the dashboard");
        });
    }

    [Fact]
    public void The_dashboard_is_the_one_catch_all_function_and_answers_GET_only()
    {
        var catchAll = Assert.Single(package.Functions.Http, f => f.Route.Contains("{*", StringComparison.Ordinal));

        Assert.Equal(DashboardRoute, catchAll.Route);
        Assert.Equal(["GET"], catchAll.Methods);
        Assert.True(IsPublished("GET /"), "GET / (API.md, Dashboard) is not served");
    }

    [Fact]
    public void Every_published_function_is_an_HTTP_function_because_the_rollups_run_in_the_change_feed_processor()
    {
        Assert.All(package.Functions.All, function => Assert.NotNull(function.HttpTrigger));
    }

    private bool IsPublished(string route)
    {
        var (method, path) = (route.Split(' ')[0], route.Split(' ')[1]);
        // "/" is served by the dashboard's catch-all, which routing ranks below every literal route.
        return package.Functions.Http.Any(f => f.Methods.Contains(method) && (f.Route == path || (path == "/" && f.Route == DashboardRoute)));
    }

    private static async Task<List<string>> StandaloneRoutesAsync()
    {
        await using var app = new TracewayApp();
        await app.InitializeAsync();
        return [.. app.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["*"]).Select(m => $"{m} {Canonical(e.RoutePattern.RawText!)}"))];
    }

    /// <summary>A group's root route reads "/api/sessions/"; routing matches it with or without the final slash, as the host does.</summary>
    private static string Canonical(string route) => route.Length > 1 ? route.TrimEnd('/') : route;

    /// <summary>Every "METHOD /path" that API.md names.</summary>
    private static List<string> ContractRoutes() =>
        [.. ContractRoute().Matches(File.ReadAllText(Path.Combine(RepositoryPaths.Root, "..", "shared", "API.md")))
            .Select(m => $"{m.Groups[1].Value} {m.Groups[2].Value}").Distinct()];

    [GeneratedRegex(@"`(GET|POST|PUT|PATCH|DELETE) (/[^`\s]*)`")]
    private static partial Regex ContractRoute();
}
