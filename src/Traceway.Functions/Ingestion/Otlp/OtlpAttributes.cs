using System.Globalization;
using Traceway.Ingestion.Otlp.Proto;

namespace Traceway.Ingestion.Otlp;

/// <summary>
/// The attributes of one span as the GenAI mapping reads them: the span's own, then its resource's for the keys that
/// may travel there (the session and the user). A key sent twice keeps its last value, as OpenTelemetry SDKs do.
/// </summary>
internal sealed class OtlpAttributes
{
    private readonly Dictionary<string, AnyValue> _span;
    private readonly IReadOnlyDictionary<string, AnyValue> _resource;

    /// <param name="span">The span's attributes.</param>
    /// <param name="resource">Its resource's, indexed once for all the resource's spans (<see cref="Index"/>).</param>
    public OtlpAttributes(IEnumerable<KeyValue> span, IReadOnlyDictionary<string, AnyValue> resource)
    {
        _span = Index(span);
        _resource = resource;
    }

    /// <summary>The span's attributes in the order sent, a repeated key at its first place with its last value.</summary>
    public IReadOnlyDictionary<string, AnyValue> Span => _span;

    public IReadOnlyDictionary<string, AnyValue> Resource => _resource;

    public bool Has(string key) => _span.ContainsKey(key);

    public AnyValue? Value(string key) => _span.GetValueOrDefault(key);

    /// <summary>The first of <paramref name="keys"/> holding non-empty text, with the key it came from.</summary>
    public (string Key, string Text)? FirstText(IReadOnlyList<string> keys, bool orResource = false)
    {
        foreach (var key in keys)
        {
            if (Text(_span.GetValueOrDefault(key)) is { } text)
            {
                return (key, text);
            }
        }

        if (orResource)
        {
            foreach (var key in keys)
            {
                if (Text(_resource.GetValueOrDefault(key)) is { } text)
                {
                    return (key, text);
                }
            }
        }

        return null;
    }

    /// <summary>The first of <paramref name="keys"/> holding a whole number from 0 up (an int, an integral double, or digits).</summary>
    public long? FirstCount(IReadOnlyList<string> keys)
    {
        foreach (var key in keys)
        {
            if (Count(_span.GetValueOrDefault(key)) is { } count)
            {
                return count;
            }
        }

        return null;
    }

    /// <summary>The first of <paramref name="keys"/> holding a finite number from 0 up.</summary>
    public double? FirstAmount(IReadOnlyList<string> keys)
    {
        foreach (var key in keys)
        {
            var amount = _span.GetValueOrDefault(key) switch
            {
                { ValueCase: AnyValue.ValueOneofCase.DoubleValue } v => v.DoubleValue,
                { ValueCase: AnyValue.ValueOneofCase.IntValue } v => v.IntValue,
                { ValueCase: AnyValue.ValueOneofCase.StringValue } v when double.TryParse(v.StringValue, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) => parsed,
                _ => (double?)null,
            };
            if (amount is { } value && double.IsFinite(value) && value >= 0)
            {
                return value;
            }
        }

        return null;
    }

    /// <summary>The strings of an array attribute (a lone string counts as one).</summary>
    public IEnumerable<string> Strings(string key) => _span.GetValueOrDefault(key) switch
    {
        { ValueCase: AnyValue.ValueOneofCase.ArrayValue } v => v.ArrayValue.Values.Select(Text).OfType<string>(),
        { ValueCase: AnyValue.ValueOneofCase.StringValue } v when v.StringValue.Length > 0 => [v.StringValue],
        _ => [],
    };

    public static string? Text(AnyValue? value) => value switch
    {
        { ValueCase: AnyValue.ValueOneofCase.StringValue, StringValue.Length: > 0 } => value.StringValue,
        { ValueCase: AnyValue.ValueOneofCase.IntValue } => value.IntValue.ToString(CultureInfo.InvariantCulture),
        _ => null,
    };

    private static long? Count(AnyValue? value) => value switch
    {
        { ValueCase: AnyValue.ValueOneofCase.IntValue, IntValue: >= 0 } => value.IntValue,
        { ValueCase: AnyValue.ValueOneofCase.DoubleValue } when value.DoubleValue >= 0 && value.DoubleValue <= long.MaxValue && Math.Floor(value.DoubleValue) == value.DoubleValue => (long)value.DoubleValue,
        { ValueCase: AnyValue.ValueOneofCase.StringValue } when long.TryParse(value.StringValue, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) => parsed,
        _ => null,
    };

    /// <summary>Attributes by key, in the order sent; a repeated key keeps its first place and its last value.</summary>
    public static Dictionary<string, AnyValue> Index(IEnumerable<KeyValue> attributes)
    {
        var dictionary = new Dictionary<string, AnyValue>(StringComparer.Ordinal);
        foreach (var attribute in attributes)
        {
            dictionary[attribute.Key] = attribute.Value ?? new AnyValue();
        }

        return dictionary;
    }
}
