using System.Text.Json;
using System.Text.Json.Nodes;

namespace Traceway.Tests.Otlp;

/// <summary>Reads the OpenTelemetry GenAI messages that a replay shows as a turn's input, response or a step's payload.</summary>
public static class GenAiMessages
{
    /// <summary>
    /// <paramref name="value"/> as JSON: a payload that arrived as a JSON string attribute may be kept as that
    /// string or parsed, and either is the same value as sent.
    /// </summary>
    public static JsonNode? Parsed(JsonNode? value)
    {
        if (value is JsonValue text && text.TryGetValue<string>(out var s))
        {
            try
            {
                return JsonNode.Parse(s);
            }
            catch (JsonException)
            {
                return value;
            }
        }

        return value;
    }

    /// <summary>The text of each message with <paramref name="role"/>, in order: the text parts (GenAI conventions) or a plain content string.</summary>
    public static IReadOnlyList<string> Texts(JsonNode? messages, string role)
    {
        var parsed = Parsed(messages);
        var list = parsed is JsonArray array ? array.Select(m => m!) : parsed is null ? [] : [parsed];
        return [.. list.Where(m => (string?)m["role"] == role).Select(Text)];
    }

    private static string Text(JsonNode message) =>
        message["content"] is JsonValue content ? (string)content!
        : string.Concat((message["parts"]?.AsArray() ?? []).Where(p => (string?)p!["type"] == "text").Select(p => (string?)p!["content"]));
}
