using System.Buffers;
using System.Text.Json;
using Traceway.Hosting;
using Traceway.Ingestion.Otlp.Proto;

namespace Traceway.Ingestion.Otlp;

/// <summary>A span cannot be stored as sent; <see cref="Field"/> names the attribute at fault.</summary>
internal sealed class OtlpSpanException(string field, string message) : Exception(message)
{
    public string Field { get; } = field;
}

/// <summary>
/// OTLP values as the JSON Traceway stores: strings, booleans and numbers as themselves, 64-bit integers exactly,
/// non-finite doubles as their names, bytes as base64, arrays and key-value lists as arrays and objects (a key
/// repeated in a list keeps its last value). Text that holds JSON (message lists sent as JSON strings) is stored
/// as that JSON when asked.
/// </summary>
internal static class OtlpJson
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = TracewayJson.Options.Encoder, SkipValidation = true };

    /// <summary>The compact JSON text that <paramref name="write"/> writes.</summary>
    public static string Text(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            write(writer);
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>Writes <paramref name="value"/>, refusing nesting deeper than <paramref name="maxDepth"/>.</summary>
    public static void Write(Utf8JsonWriter writer, AnyValue? value, string field, int maxDepth, int depth = 0)
    {
        switch (value?.ValueCase)
        {
            case AnyValue.ValueOneofCase.StringValue:
                writer.WriteStringValue(value.StringValue);
                break;
            case AnyValue.ValueOneofCase.BoolValue:
                writer.WriteBooleanValue(value.BoolValue);
                break;
            case AnyValue.ValueOneofCase.IntValue:
                writer.WriteNumberValue(value.IntValue);
                break;
            case AnyValue.ValueOneofCase.DoubleValue when double.IsFinite(value.DoubleValue):
                writer.WriteNumberValue(value.DoubleValue);
                break;
            case AnyValue.ValueOneofCase.DoubleValue:
                writer.WriteStringValue(double.IsNaN(value.DoubleValue) ? "NaN" : value.DoubleValue > 0 ? "Infinity" : "-Infinity");
                break;
            case AnyValue.ValueOneofCase.BytesValue:
                writer.WriteBase64StringValue(value.BytesValue.Span);
                break;
            case AnyValue.ValueOneofCase.ArrayValue:
                Deeper(field, maxDepth, depth);
                writer.WriteStartArray();
                foreach (var item in value.ArrayValue.Values)
                {
                    Write(writer, item, field, maxDepth, depth + 1);
                }

                writer.WriteEndArray();
                break;
            case AnyValue.ValueOneofCase.KvlistValue:
                Deeper(field, maxDepth, depth);
                WriteObject(writer, value.KvlistValue.Values.Select(kv => (kv.Key, (AnyValue?)kv.Value)), field, maxDepth, depth + 1);
                break;
            default:
                writer.WriteNullValue();
                break;
        }
    }

    /// <summary>An object of the given keys, a repeated key keeping its first place and last value.</summary>
    public static void WriteObject(Utf8JsonWriter writer, IEnumerable<(string Key, AnyValue? Value)> values, string field, int maxDepth, int depth)
    {
        var unique = new Dictionary<string, AnyValue?>(StringComparer.Ordinal);
        foreach (var (key, value) in values)
        {
            unique[key] = value;
        }

        writer.WriteStartObject();
        foreach (var (key, value) in unique)
        {
            writer.WritePropertyName(key);
            Write(writer, value, field, maxDepth, depth);
        }

        writer.WriteEndObject();
    }

    /// <summary>
    /// Content: a string holding a JSON object or array is written as that JSON (instrumentations send message lists
    /// as JSON strings); any other string stays text, and so does JSON nested too deep to store.
    /// </summary>
    public static void WriteContent(Utf8JsonWriter writer, AnyValue value, string field, int maxDepth, bool parseText = true)
    {
        if (value.ValueCase == AnyValue.ValueOneofCase.StringValue && parseText && ParsedJson(value.StringValue, maxDepth) is { } json)
        {
            // Checked by the parse: stored as the text that was sent, as JSON ingest stores its inputs.
            json.Dispose();
            writer.WriteRawValue(value.StringValue.AsSpan().Trim(), skipInputValidation: true);
            return;
        }

        Write(writer, value, field, maxDepth);
    }

    /// <summary>The JSON array or object that <paramref name="text"/> holds, or null when it holds none.</summary>
    public static JsonDocument? ParsedJson(string text, int maxDepth)
    {
        var start = text.AsSpan().TrimStart();
        if (start.Length == 0 || (start[0] != '[' && start[0] != '{'))
        {
            return null;
        }

        try
        {
            // Strict: a repeated key would be stored twice; text with an escaped lone surrogate stays text.
            var json = JsonDocument.Parse(text, new JsonDocumentOptions { MaxDepth = maxDepth, AllowDuplicateProperties = false });
            if (JsonTextRules.Problem(json.RootElement) is null)
            {
                return json;
            }

            json.Dispose();
            return null;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            return null;
        }
    }

    private static void Deeper(string field, int maxDepth, int depth)
    {
        if (depth + 1 > maxDepth)
        {
            throw new OtlpSpanException(field, $"attribute '{field}' nests more than {maxDepth} levels deep; at most {maxDepth} are accepted.");
        }
    }
}
