using System.Globalization;
using System.Text.Json;
using Traceway.Ingestion.Otlp.Proto;
using SpanEvent = Traceway.Ingestion.Otlp.Proto.Span.Types.Event;

namespace Traceway.Ingestion.Otlp;

/// <summary>A span's input or output as stored, and the attributes and events it was taken from (not stored twice).</summary>
internal sealed record GenAiContentFound(string Json, IReadOnlyCollection<string> Keys, IReadOnlyCollection<SpanEvent> Events);

/// <summary>
/// A span's input and output: every place instrumentations put prompts and completions, the first found winning —
/// the GenAI message attributes, the inference details event, the deprecated per-message events, indexed flat
/// attributes rebuilt into message lists, tool call arguments and results, and each framework's own keys.
/// </summary>
internal static class GenAiContent
{
    private const string DetailsEvent = "gen_ai.client.inference.operation.details";
    private const string Instructions = "gen_ai.system_instructions";

    private static readonly Dictionary<string, string> InputEventRoles = new(StringComparer.Ordinal)
    {
        ["gen_ai.system.message"] = "system",
        ["gen_ai.user.message"] = "user",
        ["gen_ai.assistant.message"] = "assistant",
        ["gen_ai.tool.message"] = "tool",
    };

    public static GenAiContentFound? Input(OtlpAttributes attributes, IReadOnlyList<SpanEvent> events, int maxDepth) =>
        Messages(attributes.Span, "gen_ai.input.messages", withInstructions: true, maxDepth, [])
        ?? Details(events, "gen_ai.input.messages", withInstructions: true, maxDepth)
        ?? MessageEvents(events, e => InputEventRoles.GetValueOrDefault(e.Name), maxDepth)
        ?? Indexed(attributes, "gen_ai.prompt.", "", maxDepth)
        ?? Indexed(attributes, "llm.input_messages.", "message.", maxDepth)
        ?? Single(attributes, "gen_ai.tool.call.arguments", maxDepth)
        ?? Single(attributes, "traceloop.entity.input", maxDepth)
        ?? Value(attributes, "input.value", "input.mime_type", maxDepth)
        ?? Single(attributes, "ai.prompt.messages", maxDepth);

    public static GenAiContentFound? Output(OtlpAttributes attributes, IReadOnlyList<SpanEvent> events, int maxDepth) =>
        Messages(attributes.Span, "gen_ai.output.messages", withInstructions: false, maxDepth, [])
        ?? Details(events, "gen_ai.output.messages", withInstructions: false, maxDepth)
        ?? MessageEvents(events, e => e.Name == "gen_ai.choice" ? "" : null, maxDepth)
        ?? Indexed(attributes, "gen_ai.completion.", "", maxDepth)
        ?? Indexed(attributes, "llm.output_messages.", "message.", maxDepth)
        ?? Single(attributes, "gen_ai.tool.call.result", maxDepth)
        ?? Single(attributes, "traceloop.entity.output", maxDepth)
        ?? Value(attributes, "output.value", "output.mime_type", maxDepth)
        ?? Single(attributes, "ai.response.text", maxDepth)
        ?? Single(attributes, "ai.response.toolCalls", maxDepth)
        ?? Single(attributes, "ai.response.object", maxDepth);

    /// <summary>The messages attribute, the system instructions (when asked) first as a <c>system</c> message.</summary>
    private static GenAiContentFound? Messages(
        IReadOnlyDictionary<string, AnyValue> values, string key, bool withInstructions, int maxDepth, IReadOnlyCollection<SpanEvent> events)
    {
        var messages = Present(values.GetValueOrDefault(key));
        var instructions = withInstructions ? Present(values.GetValueOrDefault(Instructions)) : null;
        if (messages is null && instructions is null)
        {
            return null;
        }

        if (instructions is null)
        {
            return new(OtlpJson.Text(w => OtlpJson.WriteContent(w, messages!, key, maxDepth)), [key], events);
        }

        var json = OtlpJson.Text(writer =>
        {
            writer.WriteStartArray();
            writer.WriteStartObject();
            writer.WriteString("role", "system");
            writer.WritePropertyName("parts");
            WriteAsArray(writer, instructions, Instructions, maxDepth, text => WriteTextPart(writer, text));
            writer.WriteEndObject();
            if (messages is not null)
            {
                WriteAsArray(writer, messages, key, maxDepth, text => writer.WriteStringValue(text), elementsOnly: true);
            }

            writer.WriteEndArray();
        });
        return new(json, messages is null ? [Instructions] : [key, Instructions], events);
    }

    private static GenAiContentFound? Details(IReadOnlyList<SpanEvent> events, string key, bool withInstructions, int maxDepth)
    {
        foreach (var details in events.Where(e => e.Name == DetailsEvent))
        {
            var values = OtlpAttributes.Index(details.Attributes);
            if (Messages(values, key, withInstructions, maxDepth, [details]) is { } found)
            {
                return found with { Keys = [] };
            }
        }

        return null;
    }

    /// <summary>Per-message events (deprecated GenAI conventions): each becomes a message, its role from the event's name.</summary>
    private static GenAiContentFound? MessageEvents(IReadOnlyList<SpanEvent> events, Func<SpanEvent, string?> role, int maxDepth)
    {
        var matching = events.Where(e => role(e) is not null).ToList();
        if (matching.Count == 0)
        {
            return null;
        }

        var json = OtlpJson.Text(writer =>
        {
            writer.WriteStartArray();
            foreach (var message in matching)
            {
                var fields = message.Attributes.Where(a => a.Key != "gen_ai.system").Select(a => (a.Key, (AnyValue?)a.Value));
                var named = role(message) is { Length: > 0 } r ? fields.Prepend(("role", new AnyValue { StringValue = r })) : fields;
                OtlpJson.WriteObject(writer, named, message.Name, maxDepth, 1);
            }

            writer.WriteEndArray();
        });
        return new(json, [], matching);
    }

    /// <summary>
    /// Flat indexed attributes (<c>gen_ai.prompt.0.role</c>, <c>llm.input_messages.0.message.content</c>) rebuilt into a
    /// list of messages in index order, each holding the rest of its keys.
    /// </summary>
    private static GenAiContentFound? Indexed(OtlpAttributes attributes, string prefix, string strip, int maxDepth)
    {
        var messages = new SortedDictionary<int, List<(string Key, AnyValue? Value)>>();
        var keys = new List<string>();
        foreach (var (key, value) in attributes.Span)
        {
            if (!key.StartsWith(prefix, StringComparison.Ordinal))
            {
                continue;
            }

            var rest = key.AsSpan(prefix.Length);
            var dot = rest.IndexOf('.');
            if (dot <= 0 || !int.TryParse(rest[..dot], NumberStyles.None, CultureInfo.InvariantCulture, out var index))
            {
                continue;
            }

            var field = rest[(dot + 1)..].ToString();
            field = field.StartsWith(strip, StringComparison.Ordinal) ? field[strip.Length..] : field;
            if (field.Length == 0)
            {
                continue;
            }

            if (!messages.TryGetValue(index, out var fields))
            {
                messages[index] = fields = [];
            }

            fields.Add((field, value));
            keys.Add(key);
        }

        if (messages.Count == 0)
        {
            return null;
        }

        var json = OtlpJson.Text(writer =>
        {
            writer.WriteStartArray();
            foreach (var fields in messages.Values)
            {
                OtlpJson.WriteObject(writer, fields, prefix, maxDepth, 1);
            }

            writer.WriteEndArray();
        });
        return new(json, keys, []);
    }

    private static GenAiContentFound? Single(OtlpAttributes attributes, string key, int maxDepth) =>
        Present(attributes.Value(key)) is { } value ? new(OtlpJson.Text(w => OtlpJson.WriteContent(w, value, key, maxDepth)), [key], []) : null;

    /// <summary>OpenInference's <c>input.value</c>: JSON only when its mime type says so.</summary>
    private static GenAiContentFound? Value(OtlpAttributes attributes, string key, string mimeTypeKey, int maxDepth)
    {
        if (Present(attributes.Value(key)) is not { } value)
        {
            return null;
        }

        var json = attributes.FirstText([mimeTypeKey])?.Text.Contains("json", StringComparison.OrdinalIgnoreCase) == true;
        return new(OtlpJson.Text(w => OtlpJson.WriteContent(w, value, key, maxDepth, parseText: json)), [key, mimeTypeKey], []);
    }

    /// <summary>A value worth storing as content: not absent, not an empty string.</summary>
    private static AnyValue? Present(AnyValue? value) => value switch
    {
        null or { ValueCase: AnyValue.ValueOneofCase.None } => null,
        { ValueCase: AnyValue.ValueOneofCase.StringValue, StringValue.Length: 0 } => null,
        _ => value,
    };

    /// <summary>
    /// Writes a value that should be a list: a JSON array (sent structured or as JSON text) as its elements, anything else
    /// through <paramref name="writeText"/> (text) or as one element.
    /// </summary>
    private static void WriteAsArray(Utf8JsonWriter writer, AnyValue value, string field, int maxDepth, Action<string> writeText, bool elementsOnly = false)
    {
        if (!elementsOnly)
        {
            writer.WriteStartArray();
        }

        if (value.ValueCase == AnyValue.ValueOneofCase.ArrayValue)
        {
            foreach (var item in value.ArrayValue.Values)
            {
                OtlpJson.WriteContent(writer, item, field, maxDepth);
            }
        }
        else if (value.ValueCase == AnyValue.ValueOneofCase.StringValue && OtlpJson.ParsedJson(value.StringValue, maxDepth) is { } parsed)
        {
            using (parsed)
            {
                if (parsed.RootElement.ValueKind == JsonValueKind.Array)
                {
                    foreach (var item in parsed.RootElement.EnumerateArray())
                    {
                        item.WriteTo(writer);
                    }
                }
                else
                {
                    parsed.RootElement.WriteTo(writer);
                }
            }
        }
        else if (value.ValueCase == AnyValue.ValueOneofCase.StringValue)
        {
            writeText(value.StringValue);
        }
        else
        {
            OtlpJson.Write(writer, value, field, maxDepth);
        }

        if (!elementsOnly)
        {
            writer.WriteEndArray();
        }
    }

    private static void WriteTextPart(Utf8JsonWriter writer, string text)
    {
        writer.WriteStartObject();
        writer.WriteString("type", "text");
        writer.WriteString("content", text);
        writer.WriteEndObject();
    }
}
