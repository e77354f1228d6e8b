using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Traceway.Tests.Infrastructure;

namespace Traceway.Tests.Projects;

public sealed class ProjectEndpointTests(TracewayApp app) : IClassFixture<TracewayApp>
{
    private static readonly object ValidTrace = new { traces = new[] { new { id = "t-1", startedAt = "2026-11-20T10:00:00Z" } } };

    [Fact]
    public async Task Creating_a_project_returns_an_ingest_key_and_a_read_key_once()
    {
        using var admin = app.CreateClient(app.AdminKey);

        using var response = await admin.PostAsJsonAsync(new Uri("/api/projects", UriKind.Relative), new { name = "checkout-bot" });
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("checkout-bot", body.GetProperty("name").GetString());
        Assert.False(string.IsNullOrEmpty(body.GetProperty("id").GetString()));
        var keys = body.GetProperty("keys").EnumerateArray().ToList();
        Assert.Equal(["ingest", "read"], keys.Select(k => k.GetProperty("scopes").EnumerateArray().Single().GetString()));
        Assert.All(keys, k => Assert.StartsWith("tw_", k.GetProperty("key").GetString(), StringComparison.Ordinal));
        Assert.NotEqual(keys[0].GetProperty("key").GetString(), keys[1].GetProperty("key").GetString());
    }

    [Fact]
    public async Task Keys_are_stored_as_hashes_only()
    {
        var project = await app.CreateProjectAsync();
        var stores = app.Services.GetRequiredService<Traceway.Storage.TracewayStores>();

        using var iterator = stores.Projects.GetItemQueryStreamIterator("SELECT * FROM c");
        var everything = "";
        while (iterator.HasMoreResults)
        {
            using var page = await iterator.ReadNextAsync();
            everything += await new StreamReader(page.Content).ReadToEndAsync();
        }

        Assert.DoesNotContain(project.IngestKey, everything, StringComparison.Ordinal);
        Assert.DoesNotContain(project.IngestKey[20..], everything, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/api/projects", """{"name":123}""")]
    [InlineData("/api/projects", "[]")]
    [InlineData("/api/projects", "{}")]
    [InlineData("/api/projects", "\"x\"")]
    [InlineData("/api/projects/{project}/keys", """{"scopes":"read"}""")]
    [InlineData("/api/projects/{project}/keys", """{"scopes":[1]}""")]
    [InlineData("/api/projects/{project}/keys", "[1]")]
    [InlineData("/api/projects/{project}/keys", """{"scopes":["admin"]}""")]
    [InlineData("/api/projects/{project}/keys", """{"scopes":["read"],"name":7}""")]
    public async Task Every_admin_400_says_what_to_fix_in_its_detail(string path, string json)
    {
        var project = await app.CreateProjectAsync();
        using var admin = app.CreateClient(app.AdminKey);

        using var response = await admin.PostAsync(new Uri(path.Replace("{project}", project.Id, StringComparison.Ordinal), UriKind.Relative), new StringContent(json, System.Text.Encoding.UTF8, "application/json"));
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.False(string.IsNullOrWhiteSpace(problem.TryGetProperty("detail", out var detail) ? detail.GetString() : null), problem.ToString());
    }

    [Theory]
    [InlineData(null, HttpStatusCode.Unauthorized)]
    [InlineData("tw_0123456789abcdef_notarealsecret", HttpStatusCode.Unauthorized)]
    [InlineData("wrong-admin-key", HttpStatusCode.Unauthorized)]
    public async Task Admin_endpoints_refuse_a_missing_or_unknown_key(string? key, HttpStatusCode expected)
    {
        using var client = key is null ? app.CreateClient() : app.CreateClient(key);

        using var response = await client.PostAsJsonAsync(new Uri("/api/projects", UriKind.Relative), new { name = "x" });
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("detail").GetString()));
    }

    [Fact]
    public async Task A_project_key_cannot_manage_projects()
    {
        var project = await app.CreateProjectAsync();
        using var client = app.CreateClient(project.IngestKey);

        using var response = await client.PostAsJsonAsync(new Uri("/api/projects", UriKind.Relative), new { name = "x" });

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("admin key", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_key_is_refused_with_403_where_it_lacks_the_scope()
    {
        var project = await app.CreateProjectAsync();
        using var readOnly = app.CreateClient(project.ReadKey);
        using var ingestOnly = app.CreateClient(project.IngestKey);

        using var ingest = await readOnly.PostAsJsonAsync(new Uri("/api/ingest", UriKind.Relative), ValidTrace);
        using var read = await ingestOnly.GetAsync(new Uri("/api/traces/t-1", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Forbidden, ingest.StatusCode);
        Assert.Contains("'ingest'", (await ingest.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, read.StatusCode);
    }

    [Fact]
    public async Task The_x_api_key_header_is_accepted_too()
    {
        var project = await app.CreateProjectAsync();
        using var client = app.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/ingest") { Content = JsonContent.Create(ValidTrace) };
        request.Headers.Add("x-api-key", project.IngestKey);

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task A_new_key_carries_the_scopes_asked_for_and_a_deleted_key_stops_working()
    {
        var project = await app.CreateProjectAsync();
        using var admin = app.CreateClient(app.AdminKey);
        using var created = await admin.PostAsJsonAsync(new Uri($"/api/projects/{project.Id}/keys", UriKind.Relative), new { scopes = new[] { "ingest", "read" }, name = "sdk" });
        var key = await created.Content.ReadFromJsonAsync<JsonElement>();
        using var client = app.CreateClient(key.GetProperty("key").GetString()!);
        using var before = await client.PostAsJsonAsync(new Uri("/api/ingest", UriKind.Relative), ValidTrace);

        using var deleted = await admin.DeleteAsync(new Uri($"/api/projects/{project.Id}/keys/{key.GetProperty("id").GetString()}", UriKind.Relative));
        using var after = await client.PostAsJsonAsync(new Uri("/api/ingest", UriKind.Relative), ValidTrace);

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(["ingest", "read"], key.GetProperty("scopes").EnumerateArray().Select(s => s.GetString()));
        Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
    }

    [Fact]
    public async Task Key_creation_names_a_bad_scope_and_an_unknown_project()
    {
        var project = await app.CreateProjectAsync();
        using var admin = app.CreateClient(app.AdminKey);

        using var badScope = await admin.PostAsJsonAsync(new Uri($"/api/projects/{project.Id}/keys", UriKind.Relative), new { scopes = new[] { "write" } });
        using var unknownProject = await admin.PostAsJsonAsync(new Uri("/api/projects/nope/keys", UriKind.Relative), new { scopes = new[] { "read" } });
        using var unknownKey = await admin.DeleteAsync(new Uri($"/api/projects/{project.Id}/keys/0123456789abcdef", UriKind.Relative));
        using var noName = await admin.PostAsJsonAsync(new Uri("/api/projects", UriKind.Relative), new { name = "" });

        Assert.Equal(HttpStatusCode.BadRequest, badScope.StatusCode);
        Assert.True((await badScope.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("scopes", out _));
        Assert.Equal(HttpStatusCode.NotFound, unknownProject.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknownKey.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, noName.StatusCode);
        Assert.True((await noName.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("name", out _));
    }
}
