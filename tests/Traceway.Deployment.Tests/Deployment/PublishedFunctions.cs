using System.Text.Json;

namespace Traceway.Tests.Deployment;

/// <summary>What the Functions host reads in the published app: host.json and the worker's generated functions.metadata.</summary>
internal sealed class PublishedFunctions
{
    private PublishedFunctions(JsonElement hostJson, IReadOnlyList<PublishedFunction> all)
    {
        HostJson = hostJson;
        All = all;
    }

    public JsonElement HostJson { get; }

    public IReadOnlyList<PublishedFunction> All { get; }

    public IEnumerable<PublishedFunction> Http => All.Where(f => f.HttpTrigger is not null);

    /// <summary>The host's prefix of every HTTP function route (<c>extensions.http.routePrefix</c>, "api" when absent).</summary>
    public string RoutePrefix =>
        HostJson.TryGetProperty("extensions", out var extensions) && extensions.TryGetProperty("http", out var http)
        && http.TryGetProperty("routePrefix", out var prefix)
            ? prefix.GetString()!
            : "api";

    public static PublishedFunctions Read(string folder)
    {
        var hostJson = Parse(Path.Combine(folder, "host.json"));
        var metadata = Parse(Path.Combine(folder, "functions.metadata"));
        var published = new List<PublishedFunction>();
        var functions = new PublishedFunctions(hostJson, published);
        published.AddRange(metadata.EnumerateArray().Select(f => new PublishedFunction(f.GetProperty("name").GetString()!, f, functions.RoutePrefix)));
        return functions;
    }

    private static JsonElement Parse(string path) =>
        JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip }).RootElement.Clone();
}

internal sealed record PublishedFunction(string Name, JsonElement Json, string RoutePrefix)
{
    public JsonElement? HttpTrigger =>
        Json.GetProperty("bindings").EnumerateArray().Where(b => b.GetProperty("type").GetString() == "httpTrigger").Select(b => (JsonElement?)b).SingleOrDefault();

    /// <summary>The route as the host serves it, with the host's prefix (if any): "/api/traces/{traceId}".</summary>
    public string Route => "/" + (RoutePrefix.Length > 0 ? RoutePrefix + "/" : "") + (HttpTrigger?.TryGetProperty("route", out var route) == true ? route.GetString() : Name);

    /// <summary>The HTTP methods the host accepts, upper case.</summary>
    public IReadOnlySet<string> Methods =>
        HttpTrigger?.TryGetProperty("methods", out var methods) == true
            ? methods.EnumerateArray().Select(m => m.GetString()!.ToUpperInvariant()).ToHashSet()
            : new HashSet<string>();

    public override string ToString() => $"{Name} ({string.Join(",", Methods)} {Route})";
}
