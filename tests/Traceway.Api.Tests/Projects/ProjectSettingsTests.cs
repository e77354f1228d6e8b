using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Traceway.Tests.Projects;

/// <summary><c>GET</c> and <c>PATCH /api/projects/{projectId}</c>: a project's retention and ingest limit.</summary>
public sealed class ProjectSettingsTests(TracewayApp app) : IClassFixture<TracewayApp>
{
    [Fact]
    public async Task A_new_project_has_no_retention_and_the_configured_ingest_limit_shown_as_nulls()
    {
        var project = await app.CreateProjectAsync("fresh");
        using var admin = app.CreateClient(app.AdminKey);

        var (status, body) = await GetAsync(admin, project.Id);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(["id", "name", "createdAt", "retentionDays", "ingestLimit"], body.EnumerateObject().Select(p => p.Name));
        Assert.Equal((project.Id, "fresh"), (body.GetProperty("id").GetString(), body.GetProperty("name").GetString()));
        Assert.Equal(JsonValueKind.Null, body.GetProperty("retentionDays").ValueKind);
        Assert.Equal(JsonValueKind.Null, body.GetProperty("ingestLimit").ValueKind);
    }

    [Fact]
    public async Task Patch_sets_retention_and_ingest_limit_and_get_and_the_project_list_show_them()
    {
        var project = await app.CreateProjectAsync();
        using var admin = app.CreateClient(app.AdminKey);

        var (patched, answer) = await PatchAsync(admin, project.Id, """{"retentionDays": 30, "ingestLimit": {"spansPerSecond": 200, "burst": 1000}}""");
        var (_, read) = await GetAsync(admin, project.Id);
        using var list = await admin.GetAsync(new Uri("/api/projects", UriKind.Relative));
        var listed = (await list.Content.ReadFromJsonAsync<JsonElement>()).EnumerateArray().Single(p => p.GetProperty("id").GetString() == project.Id);

        Assert.Equal(HttpStatusCode.OK, patched);
        foreach (var view in new[] { answer, read, listed })
        {
            Assert.Equal(30, view.GetProperty("retentionDays").GetInt32());
            Assert.Equal(200, view.GetProperty("ingestLimit").GetProperty("spansPerSecond").GetInt32());
            Assert.Equal(1000, view.GetProperty("ingestLimit").GetProperty("burst").GetInt32());
        }
    }

    [Fact]
    public async Task A_setting_left_out_keeps_its_value_and_a_null_clears_it()
    {
        var project = await app.CreateProjectAsync();
        using var admin = app.CreateClient(app.AdminKey);
        await PatchAsync(admin, project.Id, """{"retentionDays": 7, "ingestLimit": {"spansPerSecond": 5, "burst": 10}}""");

        var (_, onlyRetention) = await PatchAsync(admin, project.Id, """{"retentionDays": 90}""");
        var (_, limitCleared) = await PatchAsync(admin, project.Id, """{"ingestLimit": null}""");
        var (_, retentionCleared) = await PatchAsync(admin, project.Id, """{"retentionDays": null}""");

        Assert.Equal((90, 5), (onlyRetention.GetProperty("retentionDays").GetInt32(), onlyRetention.GetProperty("ingestLimit").GetProperty("spansPerSecond").GetInt32()));
        Assert.Equal((90, JsonValueKind.Null), (limitCleared.GetProperty("retentionDays").GetInt32(), limitCleared.GetProperty("ingestLimit").ValueKind));
        Assert.Equal(JsonValueKind.Null, retentionCleared.GetProperty("retentionDays").ValueKind);
    }

    [Theory]
    [InlineData("""{"retentionDays": 0}""", "retentionDays")]
    [InlineData("""{"retentionDays": 3651}""", "retentionDays")]
    [InlineData("""{"retentionDays": 1.5}""", "retentionDays")]
    [InlineData("""{"retentionDays": "30"}""", "retentionDays")]
    [InlineData("""{"ingestLimit": 100}""", "ingestLimit")]
    [InlineData("""{"ingestLimit": {"spansPerSecond": 10, "burst": 20, "per": "minute"}}""", "ingestLimit")]
    [InlineData("""{"ingestLimit": {"burst": 20}}""", "ingestLimit.spansPerSecond")]
    [InlineData("""{"ingestLimit": {"spansPerSecond": 0, "burst": 20}}""", "ingestLimit.spansPerSecond")]
    [InlineData("""{"ingestLimit": {"spansPerSecond": 10}}""", "ingestLimit.burst")]
    [InlineData("""{"ingestLimit": {"spansPerSecond": 10, "burst": -1}}""", "ingestLimit.burst")]
    [InlineData("""{"retention": 30}""", "retention")]
    [InlineData("""{}""", "body")]
    public async Task A_wrong_setting_is_a_400_naming_its_field_and_changes_nothing(string body, string field)
    {
        var project = await app.CreateProjectAsync();
        using var admin = app.CreateClient(app.AdminKey);
        await PatchAsync(admin, project.Id, """{"retentionDays": 7}""");

        var (status, problem) = await PatchAsync(admin, project.Id, body);
        var (_, read) = await GetAsync(admin, project.Id);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal([field], problem.GetProperty("errors").EnumerateObject().Select(p => p.Name));
        Assert.Equal(7, read.GetProperty("retentionDays").GetInt32());
    }

    [Fact]
    public async Task An_unknown_project_is_a_404_to_get_and_to_patch()
    {
        using var admin = app.CreateClient(app.AdminKey);

        var (read, _) = await GetAsync(admin, "no-such-project");
        var (patched, _) = await PatchAsync(admin, "no-such-project", """{"retentionDays": 7}""");

        Assert.Equal((HttpStatusCode.NotFound, HttpStatusCode.NotFound), (read, patched));
    }

    [Fact]
    public async Task The_settings_need_the_admin_key_401_without_a_key_and_403_with_a_project_key()
    {
        var project = await app.CreateProjectAsync();
        using var anonymous = app.CreateClient();
        using var ingest = app.CreateClient(project.IngestKey);

        var statuses = new List<HttpStatusCode>();
        foreach (var client in new[] { anonymous, ingest })
        {
            statuses.Add((await GetAsync(client, project.Id)).Status);
            statuses.Add((await PatchAsync(client, project.Id, """{"ingestLimit": null}""")).Status);
        }

        using var admin = app.CreateClient(app.AdminKey);
        Assert.Equal([HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.Forbidden, HttpStatusCode.Forbidden], statuses);
        Assert.Equal(JsonValueKind.Null, (await GetAsync(admin, project.Id)).Body.GetProperty("ingestLimit").ValueKind);
    }

    internal static async Task<(HttpStatusCode Status, JsonElement Body)> PatchAsync(HttpClient client, string projectId, string json)
    {
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await client.PatchAsync(new Uri($"/api/projects/{projectId}", UriKind.Relative), content);
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>());
    }

    private static async Task<(HttpStatusCode Status, JsonElement Body)> GetAsync(HttpClient client, string projectId)
    {
        using var response = await client.GetAsync(new Uri($"/api/projects/{projectId}", UriKind.Relative));
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>());
    }
}
