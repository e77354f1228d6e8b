using System.Text.Json;
using System.Text.Json.Serialization;

namespace Traceway.Hosting;

/// <summary>The one set of JSON settings, used by the HTTP API and by the Cosmos serializer alike.</summary>
internal static class TracewayJson
{
    public static JsonSerializerOptions Options { get; } = Create();

    /// <summary>Parsing limits for stored and received JSON: deep enough for any payload the ingest limits allow.</summary>
    public static JsonDocumentOptions DocumentOptions { get; } = new() { MaxDepth = 256 };

    /// <summary><see cref="DocumentOptions"/> that also refuse a key repeated in one object (ingest's first, cheap check).</summary>
    public static JsonDocumentOptions StrictDocumentOptions { get; } = new() { MaxDepth = 256, AllowDuplicateProperties = false };

    public static void Apply(JsonSerializerOptions target)
    {
        target.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        // A JSON API, never embedded in HTML: keep user text (accents, emoji) readable instead of \u-escaped.
        target.Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping;
        target.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
        target.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase));
        target.Converters.Add(new UtcTimestampConverter());
    }

    /// <summary>True when both serialize to the same JSON: writing one over the other would change nothing.</summary>
    public static bool SameJson<T>(T a, T b) =>
        JsonSerializer.SerializeToUtf8Bytes(a, Options).AsSpan().SequenceEqual(JsonSerializer.SerializeToUtf8Bytes(b, Options));

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        Apply(options);
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
