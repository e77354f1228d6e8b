using Google.Protobuf;
using Traceway.Ingestion;
using Traceway.Ingestion.Otlp;
using Traceway.Ingestion.Otlp.Proto;

namespace Traceway.Testing;

/// <summary>OTLP spans and exports as exporters write them, for tests and the benchmark.</summary>
internal static class OtlpSpans
{
    public static readonly DateTimeOffset Start = new(2026, 11, 27, 10, 0, 0, TimeSpan.Zero);

    public static readonly IngestOptions Limits = new();

    public static ByteString TraceId(int n) => ByteString.CopyFrom(Convert.FromHexString($"{n:x32}"));

    public static ByteString SpanId(int n) => ByteString.CopyFrom(Convert.FromHexString($"{n:x16}"));

    public static string TraceHex(int n) => $"{n:x32}";

    public static string SpanHex(int n) => $"{n:x16}";

    /// <summary>A span of trace <paramref name="trace"/> starting <paramref name="startMs"/> ms after <see cref="Start"/>, lasting 100 ms.</summary>
    public static Span Span(int trace, int id, int? parent = null, string name = "step", int startMs = 0, params (string Key, object Value)[] attributes)
    {
        var span = new Span
        {
            TraceId = TraceId(trace),
            SpanId = SpanId(id),
            ParentSpanId = parent is { } p ? SpanId(p) : ByteString.Empty,
            Name = name,
            StartTimeUnixNano = Nanos(Start.AddMilliseconds(startMs)),
            EndTimeUnixNano = Nanos(Start.AddMilliseconds(startMs + 100)),
        };
        span.Attributes.Add(attributes.Select(a => Attribute(a.Key, a.Value)));
        return span;
    }

    public static ulong Nanos(DateTimeOffset time) => (ulong)(time - DateTimeOffset.UnixEpoch).Ticks * 100;

    public static KeyValue Attribute(string key, object value) => new() { Key = key, Value = Value(value) };

    public static AnyValue Value(object value) => value switch
    {
        string s => new AnyValue { StringValue = s },
        bool b => new AnyValue { BoolValue = b },
        int i => new AnyValue { IntValue = i },
        long l => new AnyValue { IntValue = l },
        double d => new AnyValue { DoubleValue = d },
        byte[] bytes => new AnyValue { BytesValue = ByteString.CopyFrom(bytes) },
        object[] items => new AnyValue { ArrayValue = new ArrayValue { Values = { items.Select(Value) } } },
        (string Key, object Value)[] pairs => new AnyValue { KvlistValue = new KeyValueList { Values = { pairs.Select(p => Attribute(p.Key, p.Value)) } } },
        AnyValue any => any,
        _ => throw new ArgumentException($"no AnyValue for {value.GetType()}"),
    };

    /// <summary>A string inside <paramref name="depth"/> nested arrays.</summary>
    public static AnyValue Nested(int depth)
    {
        var value = new AnyValue { StringValue = "leaf" };
        for (var i = 0; i < depth; i++)
        {
            value = new AnyValue { ArrayValue = new ArrayValue { Values = { value } } };
        }

        return value;
    }

    public static ExportTraceServiceRequest Export(params Span[] spans) => Export([], spans);

    public static ExportTraceServiceRequest Export((string Key, object Value)[] resource, params Span[] spans)
    {
        var scope = new ScopeSpans { Scope = new InstrumentationScope { Name = "tests", Version = "1.0" } };
        scope.Spans.Add(spans);
        var resourceSpans = new ResourceSpans { Resource = new Resource() };
        resourceSpans.Resource.Attributes.Add(resource.Select(a => Attribute(a.Key, a.Value)));
        resourceSpans.ScopeSpans.Add(scope);
        return new ExportTraceServiceRequest { ResourceSpans = { resourceSpans } };
    }

    public static OtlpBatch Parse(params Span[] spans) => OtlpIngestParser.Parse(Export(spans), Limits);
}
