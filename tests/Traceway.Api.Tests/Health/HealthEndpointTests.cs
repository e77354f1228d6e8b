using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Traceway.Tests.Infrastructure;

namespace Traceway.Tests.Health;

public sealed class HealthEndpointTests
{
    [Fact]
    public async Task Health_is_200_healthy_when_Cosmos_and_Blob_storage_answer()
    {
        await using var app = new TracewayApp();
        await app.InitializeAsync();
        using var client = app.CreateClient();

        using var response = await client.GetAsync(new Uri("/api/health", UriKind.Relative));
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("healthy", body.GetProperty("status").GetString());
        Assert.Equal("healthy", body.GetProperty("checks").GetProperty("cosmos").GetProperty("status").GetString());
        Assert.Equal("healthy", body.GetProperty("checks").GetProperty("blob").GetProperty("status").GetString());
    }

    [Fact]
    public async Task Health_is_503_naming_blob_storage_when_it_does_not_answer()
    {
        // The emulator's account and key, at an endpoint where nothing listens (port 9, discard).
        var emulators = await LocalEmulators.Shared;
        var unreachable = Regex.Replace(emulators.BlobConnectionString, "BlobEndpoint=http://[^/;]+", "BlobEndpoint=http://127.0.0.1:9");
        await using var app = new TracewayApp()
            .WithSetting("Traceway:ProvisionStorage", "false")
            .WithSetting("Traceway:Blob:ConnectionString", unreachable);
        await app.InitializeAsync();
        using var client = app.CreateClient();

        using var response = await client.GetAsync(new Uri("/api/health", UriKind.Relative));
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("unhealthy", body.GetProperty("status").GetString());
        Assert.Equal("unhealthy", body.GetProperty("checks").GetProperty("blob").GetProperty("status").GetString());
        Assert.False(string.IsNullOrEmpty(body.GetProperty("checks").GetProperty("blob").GetProperty("error").GetString()));
    }

    [Fact]
    public async Task Health_is_503_naming_Cosmos_when_its_database_is_missing()
    {
        await using var app = new TracewayApp().WithSetting("Traceway:ProvisionStorage", "false");
        await app.InitializeAsync();
        using var client = app.CreateClient();

        using var response = await client.GetAsync(new Uri("/api/health", UriKind.Relative));
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("unhealthy", body.GetProperty("checks").GetProperty("cosmos").GetProperty("status").GetString());
    }
}
