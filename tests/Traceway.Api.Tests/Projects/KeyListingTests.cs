using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Traceway.Tests.Projects;

/// <summary><c>GET /api/projects</c> and <c>GET /api/projects/{id}/keys</c>: what an operator sees, never a secret; rotation.</summary>
public sealed class KeyListingTests(TracewayApp app) : IClassFixture<TracewayApp>
{
    [Fact]
    public async Task The_project_list_holds_every_created_project_with_its_name_and_creation_time()
    {
        var first = await app.CreateProjectAsync("listed-one");
        var second = await app.CreateProjectAsync("listed-two");
        using var admin = app.CreateClient(app.AdminKey);

        using var response = await admin.GetAsync(new Uri("/api/projects", UriKind.Relative));
        var projects = (await response.Content.ReadFromJsonAsync<JsonElement>()).EnumerateArray().ToDictionary(p => p.GetProperty("id").GetString()!);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("listed-one", projects[first.Id].GetProperty("name").GetString());
        Assert.Equal("listed-two", projects[second.Id].GetProperty("name").GetString());
        Assert.True(projects[first.Id].GetProperty("createdAt").GetDateTimeOffset() <= projects[second.Id].GetProperty("createdAt").GetDateTimeOffset());
    }

    [Fact]
    public async Task A_projects_keys_are_listed_with_id_name_scopes_and_creation_time_and_never_the_secret_or_its_hash()
    {
        var project = await app.CreateProjectAsync();
        using var admin = app.CreateClient(app.AdminKey);
        using var created = await admin.PostAsJsonAsync(new Uri($"/api/projects/{project.Id}/keys", UriKind.Relative), new { scopes = new[] { "read", "delete" }, name = "ops" });
        var extra = await created.Content.ReadFromJsonAsync<JsonElement>();

        using var response = await admin.GetAsync(new Uri($"/api/projects/{project.Id}/keys", UriKind.Relative));
        var text = await response.Content.ReadAsStringAsync();
        var keys = JsonDocument.Parse(text).RootElement.EnumerateArray().ToList();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(
            [("ingest", "ingest"), ("read", "read"), ("ops", "read,delete")],
            keys.Select(k => (k.GetProperty("name").GetString(), string.Join(',', k.GetProperty("scopes").EnumerateArray().Select(s => s.GetString())))));
        Assert.Equal(extra.GetProperty("id").GetString(), keys[2].GetProperty("id").GetString());
        Assert.All(keys, k => Assert.Equal(["id", "name", "scopes", "createdAt"], k.EnumerateObject().Select(p => p.Name)));
        foreach (var secret in new[] { project.IngestKey, project.ReadKey, extra.GetProperty("key").GetString()! })
        {
            var plain = secret[(secret.LastIndexOf('_') + 1)..];
            Assert.DoesNotContain(plain, text, StringComparison.Ordinal);
            Assert.DoesNotContain(Traceway.Projects.ApiKeys.Hash(plain), text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Rotating_a_key_is_create_then_delete_and_the_list_shows_only_the_new_one()
    {
        var project = await app.CreateProjectAsync();
        using var admin = app.CreateClient(app.AdminKey);
        using var before = await admin.GetAsync(new Uri($"/api/projects/{project.Id}/keys", UriKind.Relative));
        var old = (await before.Content.ReadFromJsonAsync<JsonElement>()).EnumerateArray().Single(k => k.GetProperty("name").GetString() == "ingest").GetProperty("id").GetString();

        using var created = await admin.PostAsJsonAsync(new Uri($"/api/projects/{project.Id}/keys", UriKind.Relative), new { scopes = new[] { "ingest" }, name = "ingest-2" });
        var replacement = await created.Content.ReadFromJsonAsync<JsonElement>();
        using var deleted = await admin.DeleteAsync(new Uri($"/api/projects/{project.Id}/keys/{old}", UriKind.Relative));
        using var after = await admin.GetAsync(new Uri($"/api/projects/{project.Id}/keys", UriKind.Relative));
        var names = (await after.Content.ReadFromJsonAsync<JsonElement>()).EnumerateArray().Select(k => k.GetProperty("name").GetString());
        using var ingest = app.CreateClient(replacement.GetProperty("key").GetString()!);
        using var ingested = await ingest.PostAsJsonAsync(new Uri("/api/ingest", UriKind.Relative), new { traces = new[] { new { id = "t-1", startedAt = "2026-11-20T10:00:00Z" } } });

        Assert.Equal((HttpStatusCode.Created, HttpStatusCode.NoContent, HttpStatusCode.OK), (created.StatusCode, deleted.StatusCode, ingested.StatusCode));
        Assert.Equal(["read", "ingest-2"], names);
    }

    [Theory]
    [InlineData("/api/projects")]
    [InlineData("/api/projects/{project}/keys")]
    public async Task Listing_needs_the_admin_key_401_without_a_key_and_403_with_a_project_key(string path)
    {
        var project = await app.CreateProjectAsync();
        var uri = new Uri(path.Replace("{project}", project.Id, StringComparison.Ordinal), UriKind.Relative);
        using var anonymous = app.CreateClient();
        using var reader = app.CreateClient(project.ReadKey);

        using var none = await anonymous.GetAsync(uri);
        using var read = await reader.GetAsync(uri);

        Assert.Equal((HttpStatusCode.Unauthorized, HttpStatusCode.Forbidden), (none.StatusCode, read.StatusCode));
        Assert.Equal("application/problem+json", read.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task The_keys_of_an_unknown_project_are_a_404_problem_naming_it()
    {
        using var admin = app.CreateClient(app.AdminKey);

        using var response = await admin.GetAsync(new Uri("/api/projects/no-such-project/keys", UriKind.Relative));
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("Project not found", problem.GetProperty("title").GetString());
        Assert.Contains("no-such-project", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }
}
