using System.Text.Json;

namespace Traceway.Ingestion;

/// <summary>
/// What stored JSON text must be beyond well-formed: no object holds a key twice (merging key by key needs one value
/// per key) and no string holds a lone UTF-16 surrogate (it cannot be written back out as UTF-8). Both are refused
/// at ingest, per item, naming the field. The checks walk every value, so the endpoint runs them only when the body
/// may need them (<see cref="MayHoldLoneSurrogate"/>, or a strict parse that found a duplicate key).
/// </summary>
internal static class JsonTextRules
{
    /// <summary>
    /// False when the body cannot hold a lone surrogate: valid UTF-8 cannot encode one, so only a <c>\uD800</c>–<c>\uDFFF</c>
    /// escape can. A vectorized search for <c>\u</c>, so clean bodies cost next to nothing.
    /// </summary>
    public static bool MayHoldLoneSurrogate(ReadOnlySpan<byte> body)
    {
        while (body.IndexOf("\\u"u8) is var at and >= 0)
        {
            body = body[(at + 2)..];
            if (body.Length >= 2 && body[0] is (byte)'d' or (byte)'D' && body[1] is (>= (byte)'8' and <= (byte)'9') or (>= (byte)'a' and <= (byte)'f') or (>= (byte)'A' and <= (byte)'F'))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>What is wrong with the text of <paramref name="value"/> (first problem found), or null.</summary>
    public static string? Problem(JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.String:
                return Text(value) is not null ? null : LoneSurrogate;
            case JsonValueKind.Array:
                foreach (var item in value.EnumerateArray())
                {
                    if (Problem(item) is { } problem)
                    {
                        return problem;
                    }
                }

                return null;
            case JsonValueKind.Object:
                var names = new HashSet<string>(StringComparer.Ordinal);
                foreach (var property in value.EnumerateObject())
                {
                    if ((NameProblem(property, names) ?? Problem(property.Value)) is { } problem)
                    {
                        return problem;
                    }
                }

                return null;
            default:
                return null;
        }
    }

    /// <summary>A key that repeats one already in <paramref name="seen"/>, or holds a lone surrogate.</summary>
    public static string? NameProblem(JsonProperty property, HashSet<string> seen) =>
        Name(property) is not { } name ? "holds a key with a lone UTF-16 surrogate (an unpaired \\uD800–\\uDFFF escape); send valid Unicode text."
        : !seen.Add(name) ? $"holds the key '{name}' more than once; send each key once."
        : null;

    /// <summary>The string, or null when it holds a lone surrogate (System.Text.Json refuses to decode one).</summary>
    public static string? Text(JsonElement value)
    {
        try
        {
            return value.GetString();
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>TryGetProperty that answers false, instead of throwing, when a key of the object holds a lone surrogate.</summary>
    public static bool TryGetProperty(JsonElement value, string name, out JsonElement property)
    {
        try
        {
            return value.TryGetProperty(name, out property);
        }
        catch (InvalidOperationException)
        {
            property = default;
            return false;
        }
    }

    /// <summary>The property's name, or null when it holds a lone surrogate.</summary>
    public static string? Name(JsonProperty property)
    {
        try
        {
            return property.Name;
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    private const string LoneSurrogate = "holds a lone UTF-16 surrogate (an unpaired \\uD800–\\uDFFF escape); send valid Unicode text.";
}
