using Microsoft.Net.Http.Headers;

namespace Traceway.Dashboard;

/// <summary>
/// <c>GET /</c>: the sessions dashboard, static files that call the public query API with a read key (API.md,
/// Dashboard). Anonymous: the files hold no data; every request they make carries the key the user pasted.
/// </summary>
internal static class DashboardEndpoints
{
    public const string IndexFile = "index.html";

    /// <summary>
    /// Scripts and styles only from the app itself, no inline script or style, no plugin, no framing, requests only
    /// back to the app: values from traces are rendered as text, and this stops anything that got through anyway.
    /// </summary>
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
        + "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    public static IServiceCollection AddDashboard(this IServiceCollection services) => services.AddSingleton<DashboardFiles>();

    /// <summary>
    /// The catch-all route: any path the API does not own. Routing prefers every literal <c>/api/...</c> route
    /// over it, so it only answers unknown API paths (a 404 problem) and the dashboard's files.
    /// </summary>
    public static RouteHandlerBuilder MapDashboard(this IEndpointRouteBuilder app) =>
        app.MapGet("/{*path}", (string? path, HttpContext context, DashboardFiles files) => Serve(path, context, files))
            .ExcludeFromDescription();

    internal static IResult Serve(string? path, HttpContext context, DashboardFiles files)
    {
        var name = string.IsNullOrEmpty(path) ? IndexFile : path;
        if (name.StartsWith("api/", StringComparison.OrdinalIgnoreCase) || name.Equals("api", StringComparison.OrdinalIgnoreCase))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such API route",
                detail: $"'/{name}' is not a route of the Traceway API; GET /api/openapi.json lists them.");
        }

        return files.Find(name) is { } file
            ? new DashboardFileResult(file)
            : TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found",
                detail: $"The dashboard has no file '/{name}'; open / for the dashboard.");
    }

    /// <summary>Writes one dashboard file with its security headers, gzip when the browser takes it, 304 on a matching ETag.</summary>
    private sealed class DashboardFileResult(DashboardFile file) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            var request = httpContext.Request;
            var response = httpContext.Response;
            var headers = response.Headers;
            headers.ContentSecurityPolicy = ContentSecurityPolicy;
            headers.XContentTypeOptions = "nosniff";
            headers["Referrer-Policy"] = "no-referrer";
            headers["Cross-Origin-Opener-Policy"] = "same-origin";
            // Not fingerprinted, so revalidated every time; the ETag makes that a 304 without a body.
            headers.CacheControl = "no-cache";
            headers.ETag = file.ETag;
            headers.Vary = HeaderNames.AcceptEncoding;
            if (request.Headers.IfNoneMatch.Contains(file.ETag))
            {
                response.StatusCode = StatusCodes.Status304NotModified;
                return Task.CompletedTask;
            }

            response.StatusCode = StatusCodes.Status200OK;
            response.ContentType = file.ContentType;
            var body = file.Content;
            if (AcceptsGzip(request))
            {
                headers.ContentEncoding = "gzip";
                body = file.Gzipped;
            }

            response.ContentLength = body.Length;
            return response.Body.WriteAsync(body, httpContext.RequestAborted).AsTask();
        }

        private static bool AcceptsGzip(HttpRequest request) =>
            request.Headers.AcceptEncoding.Any(v => v is not null && v.Contains("gzip", StringComparison.OrdinalIgnoreCase));
    }
}
