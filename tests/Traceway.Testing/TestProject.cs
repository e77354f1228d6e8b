using System.Net.Http.Json;
using System.Text.Json;

namespace Traceway.Testing;

/// <summary>A project made through the admin API, with its id and one key per scope.</summary>
public sealed record TestProject(string Id, string IngestKey, string ReadKey)
{
    /// <summary>Creates a project named <paramref name="name"/> with <paramref name="admin"/>, a client that sends the admin key.</summary>
    public static async Task<TestProject> CreateAsync(HttpClient admin, string name)
    {
        using var response = await admin.PostAsJsonAsync(new Uri("/api/projects", UriKind.Relative), new { name });
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        var keys = body.GetProperty("keys").EnumerateArray().ToDictionary(k => k.GetProperty("scopes")[0].GetString()!, k => k.GetProperty("key").GetString()!);
        return new TestProject(body.GetProperty("id").GetString()!, keys["ingest"], keys["read"]);
    }
}
