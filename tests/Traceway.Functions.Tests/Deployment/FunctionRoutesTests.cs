using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.AspNetCore.Routing.Template;
using Microsoft.Extensions.DependencyInjection;
using Traceway.Hosting;
using Traceway.Tests.Infrastructure;

namespace Traceway.Tests.Deployment;

/// <summary>
/// Under the Functions host a request reaches the app only through a function whose route and methods
/// match it (the host forwards the original request). These tests hold the function folders and the
/// app's own routes (its EndpointDataSource) to each other.
/// </summary>
public sealed class FunctionRoutesTests(AppUnderTheHost app) : IClassFixture<AppUnderTheHost>
{
    [Fact]
    public void Every_API_route_the_app_maps_is_reachable_through_a_function()
    {
        var unreachable = ApiRoutes()
            .Where(route => !FunctionFolders.Http.Any(function => Reaches(function, route)))
            .Select(route => route.ToString())
            .ToList();

        Assert.True(unreachable.Count == 0, "No function.json routes these app routes: " + string.Join("; ", unreachable));
    }

    [Fact]
    public void Every_HTTP_function_routes_to_at_least_one_route_the_app_maps()
    {
        var routes = ApiRoutes();

        var pointless = FunctionFolders.Http
            .Where(function => !routes.Any(route => Reaches(function, route)))
            .Select(function => function.ToString())
            .ToList();

        Assert.NotEmpty(FunctionFolders.Http);
        Assert.True(pointless.Count == 0, "These functions match no route the app maps: " + string.Join("; ", pointless));
    }

    [Fact]
    public void HTTP_functions_are_anonymous_because_the_app_checks_its_own_keys()
    {
        foreach (var function in FunctionFolders.Http)
        {
            Assert.Equal("anonymous", function.HttpTrigger!.Value.GetProperty("authLevel").GetString());
            // The host adds its prefix: a route that repeats it would be served at /api/api/...
            Assert.False(function.Route.StartsWith(FunctionFolders.RoutePrefix + "/" + FunctionFolders.RoutePrefix + "/", StringComparison.OrdinalIgnoreCase), function.ToString());
        }
    }

    [Fact]
    public void Every_trigger_function_is_invoked_at_an_endpoint_the_app_maps_under_the_host_and_no_other()
    {
        // The host invokes a non-HTTP function as POST /{FunctionName}.
        var invocations = Routes().Where(r => !IsApi(r.Pattern)).ToList();
        var triggers = FunctionFolders.All.Where(f => f.HttpTrigger is null).Select(f => f.Name).ToList();

        Assert.NotEmpty(triggers);
        Assert.Equal(
            triggers.Order(StringComparer.OrdinalIgnoreCase),
            invocations.Select(r => r.Pattern.RawText!.Trim('/')).Order(StringComparer.OrdinalIgnoreCase),
            StringComparer.OrdinalIgnoreCase);
        Assert.All(invocations, r => Assert.Contains(HttpMethods.Post, r.Methods ?? new HashSet<string> { HttpMethods.Post }));
    }

    /// <summary>The app's HTTP API (under /api); other endpoints are the host's invocation endpoints of non-HTTP functions.</summary>
    private List<AppRoute> ApiRoutes()
    {
        var routes = Routes().Where(r => IsApi(r.Pattern)).ToList();
        Assert.NotEmpty(routes);
        return routes;
    }

    private IEnumerable<AppRoute> Routes() =>
        app.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .OfType<RouteEndpoint>()
            .Select(e => new AppRoute(e.RoutePattern, e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods.ToHashSet()));

    private static bool IsApi(RoutePattern pattern) =>
        pattern.RawText?.StartsWith("/" + FunctionFolders.RoutePrefix + "/", StringComparison.OrdinalIgnoreCase) == true;

    /// <summary>A request the app would route to <paramref name="route"/> is matched by the function's route and methods.</summary>
    private static bool Reaches(FunctionDefinition function, AppRoute route) =>
        (route.Methods is null || function.Methods is null || route.Methods.Overlaps(function.Methods))
        && Matches(function, route.SamplePath());

    /// <summary>Matches a path the way the host's ASP.NET Core routing does (route templates, catch-alls).</summary>
    private static bool Matches(FunctionDefinition function, string path) =>
        new TemplateMatcher(TemplateParser.Parse(function.Route), new RouteValueDictionary()).TryMatch(new PathString(path), new RouteValueDictionary());

    private sealed record AppRoute(RoutePattern Pattern, IReadOnlySet<string>? Methods)
    {
        /// <summary>A concrete request path of this route; parameter values hold an encoded slash, as session ids may.</summary>
        public string SamplePath()
        {
            var segments = Pattern.PathSegments.Select(segment => string.Concat(segment.Parts.Select(part => part switch
            {
                RoutePatternLiteralPart literal => literal.Content,
                RoutePatternParameterPart { IsCatchAll: true } => "any/rest",
                RoutePatternParameterPart => "sample%2Fid",
                RoutePatternSeparatorPart separator => separator.Content,
                _ => throw new InvalidOperationException($"Unexpected route part in {Pattern.RawText}"),
            })));
            return "/" + string.Join("/", segments);
        }

        public override string ToString() => $"{string.Join(",", Methods ?? new HashSet<string> { "*" })} {Pattern.RawText}";
    }
}

/// <summary>The app as the Functions host starts it (FUNCTIONS_CUSTOMHANDLER_PORT set), so the invocation endpoints of non-HTTP functions are mapped.</summary>
public sealed class AppUnderTheHost : TracewayApp
{
    public override Task InitializeAsync()
    {
        // Any port: the test server listens where TracewayApp tells Kestrel to; the setting only switches host mode on.
        WithSetting(FunctionsHost.PortVariable, "0");
        return base.InitializeAsync();
    }
}
