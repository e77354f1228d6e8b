using System.Text.Json;
using Traceway.Ingestion.Otlp.Proto;

namespace Traceway.Ingestion.Otlp;

/// <summary>
/// Everything of an OTLP span that has no field of its own, kept as sent in the span's <c>attributes</c>: its
/// attributes (but the content already stored as input and output), its resource's attributes (a span attribute of
/// the same name wins), and, under OpenTelemetry's names for non-OTLP formats, its scope, kind, trace state, other
/// events and links.
/// </summary>
internal static class OtlpSpanAttributes
{
    public static string? Json(Span span, OtlpAttributes attributes, InstrumentationScope? scope, GenAiContentFound? input, GenAiContentFound? output, int maxDepth)
    {
        var stored = new HashSet<string>((input?.Keys ?? []).Concat(output?.Keys ?? []), StringComparer.Ordinal);
        var events = span.Events.Except((input?.Events ?? []).Concat(output?.Events ?? [])).ToList();
        var fields = new List<(string Key, AnyValue? Value)>(attributes.Span.Count + attributes.Resource.Count + 4);
        fields.AddRange(attributes.Resource.Where(a => !attributes.Has(a.Key)).Select(a => (a.Key, (AnyValue?)a.Value)));
        fields.AddRange(attributes.Span.Where(a => !stored.Contains(a.Key)).Select(a => (a.Key, (AnyValue?)a.Value)));
        AddText(fields, "otel.scope.name", scope?.Name);
        AddText(fields, "otel.scope.version", scope?.Version);
        AddText(fields, "otel.span_kind", span.Kind == Span.Types.SpanKind.Unspecified ? null : span.Kind.ToString().ToLowerInvariant());
        AddText(fields, "otel.trace_state", span.TraceState);
        if (fields.Count == 0 && events.Count == 0 && span.Links.Count == 0)
        {
            return null;
        }

        return OtlpJson.Text(writer =>
        {
            writer.WriteStartObject();
            WriteFields(writer, fields, maxDepth);
            if (events.Count > 0)
            {
                writer.WriteStartArray("otel.events");
                foreach (var e in events)
                {
                    writer.WriteStartObject();
                    writer.WriteString("name", e.Name);
                    if (e.TimeUnixNano != 0)
                    {
                        writer.WriteString("time", DateTimeOffset.UnixEpoch.AddTicks((long)(e.TimeUnixNano / 100)));
                    }

                    WriteAttributes(writer, e.Attributes, $"otel.events.{e.Name}", maxDepth);
                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
            }

            if (span.Links.Count > 0)
            {
                writer.WriteStartArray("otel.links");
                foreach (var link in span.Links)
                {
                    writer.WriteStartObject();
                    writer.WriteString("traceId", Convert.ToHexStringLower(link.TraceId.Span));
                    writer.WriteString("spanId", Convert.ToHexStringLower(link.SpanId.Span));
                    WriteAttributes(writer, link.Attributes, "otel.links", maxDepth);
                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
            }

            writer.WriteEndObject();
        });
    }

    /// <summary>The fields in order, a repeated key at its first place with its last value (the stored form of attributes).</summary>
    private static void WriteFields(Utf8JsonWriter writer, List<(string Key, AnyValue? Value)> fields, int maxDepth)
    {
        var unique = new Dictionary<string, AnyValue?>(StringComparer.Ordinal);
        foreach (var (key, value) in fields)
        {
            unique[key] = value;
        }

        foreach (var (key, value) in unique)
        {
            writer.WritePropertyName(key);
            OtlpJson.Write(writer, value, key, maxDepth, depth: 1);
        }
    }

    private static void WriteAttributes(Utf8JsonWriter writer, IEnumerable<KeyValue> attributes, string field, int maxDepth)
    {
        var list = attributes.Select(a => (a.Key, (AnyValue?)a.Value)).ToList();
        if (list.Count > 0)
        {
            writer.WritePropertyName("attributes");
            OtlpJson.WriteObject(writer, list, field, maxDepth, depth: 3);
        }
    }

    private static void AddText(List<(string Key, AnyValue? Value)> fields, string key, string? text)
    {
        if (!string.IsNullOrEmpty(text))
        {
            fields.Add((key, new AnyValue { StringValue = text }));
        }
    }
}
