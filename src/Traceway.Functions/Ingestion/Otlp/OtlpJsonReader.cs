using System.Globalization;
using System.Text.Json;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Traceway.Ingestion.Otlp.Proto;

namespace Traceway.Ingestion.Otlp;

/// <summary>The body is not an OTLP export: nothing is stored.</summary>
internal sealed class OtlpFormatException(string message) : Exception(message);

/// <summary>
/// Reads an OTLP/JSON export into the same messages the protobuf encoding decodes to, by the OTLP/JSON rules
/// that differ from protobuf's canonical JSON: trace and span ids are hex (either case), enums are integers (names
/// accepted too), 64-bit integers arrive as strings or numbers, keys are lowerCamelCase (snake_case accepted),
/// and unknown fields are ignored. A value of the wrong type is refused with its path.
/// </summary>
internal static class OtlpJsonReader
{
    public static ExportTraceServiceRequest Read(JsonElement root)
    {
        var request = new ExportTraceServiceRequest();
        Expect(root, JsonValueKind.Object, "the body");
        try
        {
            foreach (var (resourceSpans, path) in Items(root, "resourceSpans", "resource_spans", ""))
            {
                request.ResourceSpans.Add(ReadResourceSpans(resourceSpans, path));
            }
        }
        catch (InvalidOperationException)
        {
            // System.Text.Json refuses to decode a string or key holding an escaped lone surrogate (\uD800).
            throw new OtlpFormatException("A string or key holds a lone UTF-16 surrogate (an unpaired \\uD800–\\uDFFF escape); send valid Unicode text.");
        }

        return request;
    }

    private static ResourceSpans ReadResourceSpans(JsonElement element, string path)
    {
        var resourceSpans = new ResourceSpans();
        if (Field(element, "resource", "resource") is { } resource)
        {
            Expect(resource, JsonValueKind.Object, path + ".resource");
            resourceSpans.Resource = new Resource();
            resourceSpans.Resource.Attributes.Add(Attributes(resource, path + ".resource"));
        }

        foreach (var (scopeSpans, scopePath) in Items(element, "scopeSpans", "scope_spans", path))
        {
            resourceSpans.ScopeSpans.Add(ReadScopeSpans(scopeSpans, scopePath));
        }

        return resourceSpans;
    }

    private static ScopeSpans ReadScopeSpans(JsonElement element, string path)
    {
        var scopeSpans = new ScopeSpans();
        if (Field(element, "scope", "scope") is { } scope)
        {
            Expect(scope, JsonValueKind.Object, path + ".scope");
            scopeSpans.Scope = new InstrumentationScope
            {
                Name = Text(scope, "name", "name", path + ".scope"),
                Version = Text(scope, "version", "version", path + ".scope"),
            };
            scopeSpans.Scope.Attributes.Add(Attributes(scope, path + ".scope"));
        }

        foreach (var (span, spanPath) in Items(element, "spans", "spans", path))
        {
            scopeSpans.Spans.Add(ReadSpan(span, spanPath));
        }

        return scopeSpans;
    }

    private static Span ReadSpan(JsonElement element, string path)
    {
        var span = new Span
        {
            TraceId = Id(element, "traceId", "trace_id", path),
            SpanId = Id(element, "spanId", "span_id", path),
            ParentSpanId = Id(element, "parentSpanId", "parent_span_id", path),
            TraceState = Text(element, "traceState", "trace_state", path),
            Name = Text(element, "name", "name", path),
            Kind = (Span.Types.SpanKind)Enum(element, "kind", "kind", path, Span.Descriptor.EnumTypes[0]),
            StartTimeUnixNano = Unsigned(element, "startTimeUnixNano", "start_time_unix_nano", path),
            EndTimeUnixNano = Unsigned(element, "endTimeUnixNano", "end_time_unix_nano", path),
            Flags = (uint)Math.Min(Unsigned(element, "flags", "flags", path), uint.MaxValue),
        };
        span.Attributes.Add(Attributes(element, path));
        foreach (var (e, eventPath) in Items(element, "events", "events", path))
        {
            var spanEvent = new Span.Types.Event
            {
                Name = Text(e, "name", "name", eventPath),
                TimeUnixNano = Unsigned(e, "timeUnixNano", "time_unix_nano", eventPath),
            };
            spanEvent.Attributes.Add(Attributes(e, eventPath));
            span.Events.Add(spanEvent);
        }

        foreach (var (link, linkPath) in Items(element, "links", "links", path))
        {
            var spanLink = new Span.Types.Link
            {
                TraceId = Id(link, "traceId", "trace_id", linkPath),
                SpanId = Id(link, "spanId", "span_id", linkPath),
                TraceState = Text(link, "traceState", "trace_state", linkPath),
            };
            spanLink.Attributes.Add(Attributes(link, linkPath));
            span.Links.Add(spanLink);
        }

        if (Field(element, "status", "status") is { } status)
        {
            Expect(status, JsonValueKind.Object, path + ".status");
            span.Status = new Status
            {
                Code = (Status.Types.StatusCode)Enum(status, "code", "code", path + ".status", Status.Descriptor.EnumTypes[0]),
                Message = Text(status, "message", "message", path + ".status"),
            };
        }

        return span;
    }

    private static IEnumerable<KeyValue> Attributes(JsonElement owner, string path) =>
        Items(owner, "attributes", "attributes", path).Select(item => KeyValue(item.Element, item.Path));

    private static KeyValue KeyValue(JsonElement element, string path)
    {
        var keyValue = new KeyValue { Key = Text(element, "key", "key", path) };
        if (Field(element, "value", "value") is { } value)
        {
            keyValue.Value = AnyValue(value, path + ".value");
        }

        return keyValue;
    }

    private static AnyValue AnyValue(JsonElement element, string path)
    {
        Expect(element, JsonValueKind.Object, path);
        var value = new AnyValue();
        foreach (var property in element.EnumerateObject())
        {
            if (property.Value.ValueKind == JsonValueKind.Null)
            {
                continue;
            }

            var at = $"{path}.{property.Name}";
            switch (property.Name)
            {
                case "stringValue" or "string_value":
                    value.StringValue = String(property.Value, at);
                    break;
                case "boolValue" or "bool_value":
                    value.BoolValue = property.Value.ValueKind switch
                    {
                        JsonValueKind.True => true,
                        JsonValueKind.False => false,
                        _ => throw Wrong(at, "a boolean"),
                    };
                    break;
                case "intValue" or "int_value":
                    value.IntValue = Signed(property.Value, at);
                    break;
                case "doubleValue" or "double_value":
                    value.DoubleValue = Double(property.Value, at);
                    break;
                case "bytesValue" or "bytes_value":
                    value.BytesValue = Base64(property.Value, at);
                    break;
                case "arrayValue" or "array_value":
                    var array = new ArrayValue();
                    array.Values.Add(Items(property.Value, "values", "values", at).Select(v => AnyValue(v.Element, v.Path)));
                    value.ArrayValue = array;
                    break;
                case "kvlistValue" or "kvlist_value":
                    var list = new KeyValueList();
                    list.Values.Add(Items(property.Value, "values", "values", at).Select(v => KeyValue(v.Element, v.Path)));
                    value.KvlistValue = list;
                    break;
            }
        }

        return value;
    }

    /// <summary>The elements of an array field (absent or null: none), each with its path for messages.</summary>
    private static IEnumerable<(JsonElement Element, string Path)> Items(JsonElement owner, string name, string snakeName, string path)
    {
        Expect(owner, JsonValueKind.Object, path.Length == 0 ? "the body" : path);
        var at = path.Length == 0 ? name : $"{path}.{name}";
        if (Field(owner, name, snakeName) is not { } array)
        {
            yield break;
        }

        Expect(array, JsonValueKind.Array, at);
        var index = 0;
        foreach (var item in array.EnumerateArray())
        {
            yield return (item, $"{at}[{index++}]");
        }
    }

    private static JsonElement? Field(JsonElement owner, string name, string snakeName) =>
        (owner.TryGetProperty(name, out var value) || (snakeName != name && owner.TryGetProperty(snakeName, out value))) && value.ValueKind != JsonValueKind.Null
            ? value
            : null;

    private static string Text(JsonElement owner, string name, string snakeName, string path) =>
        Field(owner, name, snakeName) is { } value ? String(value, $"{path}.{name}") : "";

    private static string String(JsonElement value, string path) =>
        value.ValueKind == JsonValueKind.String ? value.GetString()! : throw Wrong(path, "a string");

    /// <summary>OTLP/JSON ids are hex, not base64; either case; empty means absent.</summary>
    private static ByteString Id(JsonElement owner, string name, string snakeName, string path)
    {
        if (Field(owner, name, snakeName) is not { } value)
        {
            return ByteString.Empty;
        }

        var text = String(value, $"{path}.{name}");
        try
        {
            return ByteString.CopyFrom(Convert.FromHexString(text));
        }
        catch (FormatException)
        {
            throw new OtlpFormatException($"{path}.{name} must be a hex string (OTLP/JSON ids are hex, not base64); got '{Shorten(text)}'.");
        }
    }

    private static ByteString Base64(JsonElement value, string path)
    {
        try
        {
            return ByteString.FromBase64(String(value, path));
        }
        catch (FormatException)
        {
            throw new OtlpFormatException($"{path} must be base64.");
        }
    }

    private static ulong Unsigned(JsonElement owner, string name, string snakeName, string path)
    {
        if (Field(owner, name, snakeName) is not { } value)
        {
            return 0;
        }

        var at = $"{path}.{name}";
        return value.ValueKind switch
        {
            JsonValueKind.Number when value.TryGetUInt64(out var number) => number,
            JsonValueKind.String when ulong.TryParse(value.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out var number) => number,
            _ => throw Wrong(at, "an unsigned 64-bit integer (a number or a decimal string)"),
        };
    }

    private static long Signed(JsonElement value, string path) => value.ValueKind switch
    {
        JsonValueKind.Number when value.TryGetInt64(out var number) => number,
        JsonValueKind.String when long.TryParse(value.GetString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number) => number,
        _ => throw Wrong(path, "a 64-bit integer (a number or a decimal string)"),
    };

    private static double Double(JsonElement value, string path) => value.ValueKind switch
    {
        JsonValueKind.Number => value.GetDouble(),
        JsonValueKind.String => value.GetString() switch
        {
            "NaN" => double.NaN,
            "Infinity" => double.PositiveInfinity,
            "-Infinity" => double.NegativeInfinity,
            var s when double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) => number,
            _ => throw Wrong(path, "a number"),
        },
        _ => throw Wrong(path, "a number"),
    };

    /// <summary>An enum as its integer (OTLP/JSON) or its name (protobuf's canonical JSON).</summary>
    private static int Enum(JsonElement owner, string name, string snakeName, string path, EnumDescriptor names)
    {
        if (Field(owner, name, snakeName) is not { } value)
        {
            return 0;
        }

        var at = $"{path}.{name}";
        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number))
        {
            return number;
        }

        if (value.ValueKind == JsonValueKind.String)
        {
            if (names.FindValueByName(value.GetString()!) is { } known)
            {
                return known.Number;
            }
        }

        throw Wrong(at, "an enum integer");
    }

    private static void Expect(JsonElement element, JsonValueKind kind, string path)
    {
        if (element.ValueKind != kind)
        {
            throw Wrong(path, kind == JsonValueKind.Object ? "a JSON object" : "a JSON array");
        }
    }

    private static OtlpFormatException Wrong(string path, string expected) => new($"{path} must be {expected}.");

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "…";
}
