using System.Text.Json;
using Traceway.Tests.Infrastructure;

namespace Traceway.Tests.Deployment;

/// <summary>What the Functions host reads beside host.json: one folder per function, each with its function.json.</summary>
internal static class FunctionFolders
{
    public static JsonElement HostJson { get; } = Read(Path.Combine(RepositoryPaths.Root, "host.json"));

    /// <summary>The host's prefix of every HTTP function route (<c>extensions.http.routePrefix</c>, "api" when absent).</summary>
    public static string RoutePrefix =>
        HostJson.TryGetProperty("extensions", out var extensions) && extensions.TryGetProperty("http", out var http)
        && http.TryGetProperty("routePrefix", out var prefix)
            ? prefix.GetString()!
            : "api";

    public static IReadOnlyList<FunctionDefinition> All { get; } =
        [.. Directory.GetDirectories(RepositoryPaths.Root)
            .Where(folder => File.Exists(Path.Combine(folder, "function.json")))
            .Select(folder => new FunctionDefinition(Path.GetFileName(folder), Read(Path.Combine(folder, "function.json"))))
            .OrderBy(f => f.Name, StringComparer.Ordinal)];

    public static IEnumerable<FunctionDefinition> Http => All.Where(f => f.HttpTrigger is not null);

    private static JsonElement Read(string path) =>
        JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip }).RootElement.Clone();
}

internal sealed record FunctionDefinition(string Name, JsonElement Json)
{
    public IEnumerable<JsonElement> Bindings => Json.GetProperty("bindings").EnumerateArray();

    /// <summary>The function's trigger: the one binding whose type ends in "Trigger".</summary>
    public JsonElement Trigger => Bindings.Single(b => b.GetProperty("type").GetString()!.EndsWith("Trigger", StringComparison.Ordinal));

    public JsonElement? HttpTrigger => Trigger.GetProperty("type").GetString() == "httpTrigger" ? Trigger : null;

    /// <summary>The route as the host serves it, with the host's prefix: "api/traces/{*rest}".</summary>
    public string Route => FunctionFolders.RoutePrefix + "/" + (HttpTrigger?.TryGetProperty("route", out var route) == true ? route.GetString() : Name);

    /// <summary>The HTTP methods the host accepts; none listed means all.</summary>
    public IReadOnlySet<string>? Methods =>
        HttpTrigger?.TryGetProperty("methods", out var methods) == true && methods.GetArrayLength() > 0
            ? methods.EnumerateArray().Select(m => m.GetString()!.ToUpperInvariant()).ToHashSet()
            : null;

    public override string ToString() => $"{Name} ({string.Join(",", Methods ?? new HashSet<string> { "*" })} {Route})";
}
