using System.Text.Json;

namespace Traceway.Rollups;

/// <summary>
/// The Functions host's custom-handler invocation of a cosmosDBTrigger: <c>{"Data": {"documents": ...}, "Metadata": {...}}</c>,
/// where <c>documents</c> is the JSON array of changed documents, usually as a string holding it (encoded once or more).
/// </summary>
internal static class HostInvocation
{
    private const int MaxEncodingLayers = 8;

    /// <summary>The changed documents of an invocation; a <see cref="FormatException"/> says what is wrong with it.</summary>
    public static IReadOnlyList<JsonElement> ReadDocuments(JsonElement invocation, string bindingName)
    {
        if (invocation.ValueKind != JsonValueKind.Object
            || !invocation.TryGetProperty("Data", out var data)
            || data.ValueKind != JsonValueKind.Object
            || !data.TryGetProperty(bindingName, out var documents))
        {
            throw new FormatException($"The invocation has no Data.{bindingName}.");
        }

        // The host encodes the array as a JSON string, sometimes more than once: unwrap while it is a string.
        for (var layer = 0; documents.ValueKind == JsonValueKind.String; layer++)
        {
            if (layer == MaxEncodingLayers)
            {
                throw new FormatException($"Data.{bindingName} is encoded more than {MaxEncodingLayers} times.");
            }

            try
            {
                using var inner = JsonDocument.Parse(documents.GetString()!, Hosting.TracewayJson.DocumentOptions);
                documents = inner.RootElement.Clone();
            }
            catch (JsonException e)
            {
                throw new FormatException($"Data.{bindingName} is a string that does not hold JSON: {e.Message}", e);
            }
        }

        return documents.ValueKind == JsonValueKind.Array
            ? [.. documents.EnumerateArray()]
            : throw new FormatException($"Data.{bindingName} must be a JSON array of documents; got a JSON {documents.ValueKind.ToString().ToLowerInvariant()}.");
    }
}

/// <summary>What a custom handler answers the host: 200 with this body, or a non-2xx to fail the invocation.</summary>
internal sealed record HostInvocationResult(IReadOnlyDictionary<string, object> Outputs, IReadOnlyList<string> Logs, object? ReturnValue);
