using System.IO.Compression;
using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Traceway.Dashboard;

namespace Traceway.Tests.Dashboard;

/// <summary>
/// The dashboard's files as both hostings serve them: the standalone app over HTTP and the <c>[Function]</c> called
/// as the worker calls it, with the same bytes and the same Content-Security-Policy.
/// </summary>
public sealed partial class DashboardHostingTests(TracewayApp app) : IClassFixture<TracewayApp>
{
    [Fact]
    public async Task The_root_serves_the_dashboard_whose_page_loads_only_its_own_files_and_no_inline_script()
    {
        using var client = app.CreateClient();
        using var response = await client.GetAsync(new Uri("/", UriKind.Relative));
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(DashboardEndpoints.ContentSecurityPolicy, string.Join(";", response.Headers.GetValues("Content-Security-Policy")));
        Assert.Equal("nosniff", string.Join(",", response.Headers.GetValues("X-Content-Type-Options")));
        // Every script has a src on the app itself: nothing inline, nothing from another host (works offline).
        Assert.All(Tags().Matches(html), tag => Assert.Matches(@"^<script type=""module"" src=""/[^/]", tag.Value));
        Assert.DoesNotContain("//", string.Concat(References().Matches(html).Select(m => m.Groups[1].Value)), StringComparison.Ordinal);
        foreach (var reference in References().Matches(html).Select(m => m.Groups[1].Value))
        {
            using var file = await client.GetAsync(new Uri(reference, UriKind.Relative));
            Assert.True(file.IsSuccessStatusCode, reference);
            Assert.Equal(DashboardEndpoints.ContentSecurityPolicy, string.Join(";", file.Headers.GetValues("Content-Security-Policy")));
        }
    }

    [Fact]
    public async Task The_Functions_hosting_serves_the_same_files_with_the_same_headers()
    {
        using var client = app.CreateClient();
        var function = ActivatorUtilities.CreateInstance<DashboardFunction>(app.Services);
        foreach (var path in new[] { "", "dashboard.js", "dashboard.css" })
        {
            var context = new DefaultHttpContext { RequestServices = app.Services };
            context.Request.Method = "GET";
            context.Request.Path = "/" + path;
            context.Response.Body = new MemoryStream();
            await (await function.Serve(context.Request, path)).ExecuteAsync(context);
            var standalone = await client.GetByteArrayAsync(new Uri("/" + path, UriKind.Relative));

            Assert.Equal(200, context.Response.StatusCode);
            Assert.Equal(DashboardEndpoints.ContentSecurityPolicy, context.Response.Headers.ContentSecurityPolicy.ToString());
            Assert.Equal(standalone, ((MemoryStream)context.Response.Body).ToArray());
        }
    }

    [Fact]
    public async Task Files_go_gzipped_to_a_browser_that_takes_gzip_and_a_matching_ETag_gets_a_304()
    {
        using var plain = app.CreateClient();
        var original = await plain.GetByteArrayAsync(new Uri("/dashboard.js", UriKind.Relative));
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/dashboard.js", UriKind.Relative));
        request.Headers.AcceptEncoding.ParseAdd("gzip");
        using var gzipped = await plain.SendAsync(request);
        var compressed = await gzipped.Content.ReadAsByteArrayAsync();
        await using var unzip = new GZipStream(new MemoryStream(compressed), CompressionMode.Decompress);
        using var unzipped = new MemoryStream();
        await unzip.CopyToAsync(unzipped);

        Assert.Equal("gzip", string.Join(",", gzipped.Content.Headers.ContentEncoding));
        Assert.True(compressed.Length < original.Length / 2, $"{compressed.Length} of {original.Length} bytes");
        Assert.Equal(original, unzipped.ToArray());

        using var again = new HttpRequestMessage(HttpMethod.Get, new Uri("/dashboard.js", UriKind.Relative));
        again.Headers.IfNoneMatch.Add(gzipped.Headers.ETag!);
        using var notModified = await plain.SendAsync(again);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
    }

    [Theory]
    [InlineData("/api/no-such-route", "No such API route")]
    [InlineData("/no-such-file.js", "Not found")]
    public async Task A_path_that_is_neither_an_API_route_nor_a_dashboard_file_is_a_404_problem(string path, string title)
    {
        using var client = app.CreateClient();
        using var response = await client.GetAsync(new Uri(path, UriKind.Relative));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(title, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [GeneratedRegex(@"<script[^>]*>")]
    private static partial Regex Tags();

    [GeneratedRegex(@"(?:src|href)=""([^""]+)""")]
    private static partial Regex References();
}
