using System.Text.Json;
using Traceway.Ingestion.Otlp;
using Traceway.Ingestion.Otlp.Proto;

namespace Traceway.Tests.Ingestion.Otlp;

/// <summary>OTLP/JSON's own rules: hex ids, integer enums, 64-bit integers as strings or numbers, unknown fields ignored.</summary>
public sealed class OtlpJsonReaderTests
{
    private const string TraceHex = "5B8EFFF798038103D269B633813FC60C";
    private const string SpanHex = "EEE19B7EC3C1B174";

    [Theory]
    [InlineData(TraceHex, SpanHex)]
    [InlineData("5b8efff798038103d269b633813fc60c", "eee19b7ec3c1b174")]
    public void Ids_are_hex_in_either_case(string traceId, string spanId)
    {
        var span = ReadSpan($$"""{"traceId":"{{traceId}}","spanId":"{{spanId}}","parentSpanId":"","name":"s"}""");
        Assert.Equal(Convert.FromHexString(TraceHex), span.TraceId.ToByteArray());
        Assert.Equal(Convert.FromHexString(SpanHex), span.SpanId.ToByteArray());
        Assert.True(span.ParentSpanId.IsEmpty);
    }

    [Theory]
    [InlineData("\"1764237600000000000\"", "\"1764237600500000000\"", "\"42\"")]
    [InlineData("1764237600000000000", "1764237600500000000", "42")]
    public void Times_and_integers_arrive_as_strings_or_numbers(string start, string end, string intValue)
    {
        var span = ReadSpan($$$"""{"name":"s","startTimeUnixNano":{{{start}}},"endTimeUnixNano":{{{end}}},"attributes":[{"key":"n","value":{"intValue":{{{intValue}}}}}]}""");
        Assert.Equal((1764237600000000000UL, 1764237600500000000UL, 42L), (span.StartTimeUnixNano, span.EndTimeUnixNano, span.Attributes[0].Value.IntValue));
    }

    [Theory]
    [InlineData("3", "2")]
    [InlineData("\"SPAN_KIND_CLIENT\"", "\"STATUS_CODE_ERROR\"")]
    public void Enums_are_integers_or_their_names(string kind, string code)
    {
        var span = ReadSpan($$$"""{"name":"s","kind":{{{kind}}},"status":{"code":{{{code}}},"message":"boom"}}""");
        Assert.Equal((Span.Types.SpanKind.Client, Status.Types.StatusCode.Error, "boom"), (span.Kind, span.Status.Code, span.Status.Message));
    }

    [Fact]
    public void Every_any_value_type_is_read()
    {
        var span = ReadSpan("""
            {"name":"s","attributes":[
              {"key":"s","value":{"stringValue":"text"}},
              {"key":"b","value":{"boolValue":true}},
              {"key":"d","value":{"doubleValue":"NaN"}},
              {"key":"x","value":{"bytesValue":"AQI="}},
              {"key":"a","value":{"arrayValue":{"values":[{"intValue":"1"},{"arrayValue":{}}]}}},
              {"key":"m","value":{"kvlistValue":{"values":[{"key":"k","value":{"doubleValue":1.5}}]}}},
              {"key":"empty","value":{}}]}
            """);
        var values = span.Attributes.ToDictionary(a => a.Key, a => a.Value);
        Assert.Equal("text", values["s"].StringValue);
        Assert.True(values["b"].BoolValue);
        Assert.True(double.IsNaN(values["d"].DoubleValue));
        Assert.Equal(new byte[] { 1, 2 }, values["x"].BytesValue.ToByteArray());
        Assert.Equal(1, values["a"].ArrayValue.Values[0].IntValue);
        Assert.Empty(values["a"].ArrayValue.Values[1].ArrayValue.Values);
        Assert.Equal(1.5, values["m"].KvlistValue.Values[0].Value.DoubleValue);
        Assert.Equal(AnyValue.ValueOneofCase.None, values["empty"].ValueCase);
    }

    [Fact]
    public void Unknown_fields_are_ignored_and_snake_case_is_read()
    {
        var request = Read("""{"resource_spans":[{"schemaUrl":"x","futureField":{"a":1},"scope_spans":[{"scope":{"name":"sdk","droppedAttributesCount":0},"spans":[{"name":"s","start_time_unix_nano":"5","droppedEventsCount":3}]}]}]}""");
        var scope = request.ResourceSpans[0].ScopeSpans[0];
        Assert.Equal(("sdk", "s", 5UL), (scope.Scope.Name, scope.Spans[0].Name, scope.Spans[0].StartTimeUnixNano));
    }

    [Theory]
    [InlineData("""{"resourceSpans":{}}""", "resourceSpans")]
    [InlineData("""{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"not-hex"}]}]}]}""", "resourceSpans[0].scopeSpans[0].spans[0].traceId")]
    [InlineData("""{"resourceSpans":[{"scopeSpans":[{"spans":[{"spanId":"abc"}]}]}]}""", "resourceSpans[0].scopeSpans[0].spans[0].spanId")]
    [InlineData("""{"resourceSpans":[{"scopeSpans":[{"spans":[{"name":7}]}]}]}""", "resourceSpans[0].scopeSpans[0].spans[0].name")]
    [InlineData("""{"resourceSpans":[{"scopeSpans":[{"spans":[{"startTimeUnixNano":"-1"}]}]}]}""", "startTimeUnixNano")]
    [InlineData("""{"resourceSpans":[{"scopeSpans":[{"spans":[{"kind":"SIDEWAYS"}]}]}]}""", "kind")]
    [InlineData("""{"resourceSpans":[{"scopeSpans":[{"spans":[{"attributes":[{"key":"k","value":{"intValue":"1.5"}}]}]}]}]}""", "intValue")]
    [InlineData("""{"resourceSpans":[{"scopeSpans":[{"spans":[{"name":"\ud800"}]}]}]}""", "surrogate")]
    [InlineData("""[]""", "the body")]
    public void A_value_of_the_wrong_type_is_refused_with_its_path(string json, string named)
    {
        var e = Assert.Throws<OtlpFormatException>(() => Read(json));
        Assert.Contains(named, e.Message, StringComparison.Ordinal);
    }

    private static Span ReadSpan(string span) => Read($$"""{"resourceSpans":[{"scopeSpans":[{"spans":[{{span}}]}]}]}""").ResourceSpans[0].ScopeSpans[0].Spans[0];

    private static ExportTraceServiceRequest Read(string json)
    {
        using var document = JsonDocument.Parse(json);
        return OtlpJsonReader.Read(document.RootElement);
    }
}
