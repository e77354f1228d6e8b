using System.Globalization;
using System.Text.Json;
using Traceway.Hosting;

namespace Traceway.Ingestion;

/// <summary>
/// Reads the fields of one ingested item, checking each rule and collecting every violation with the
/// field's name, so a caller learns all that is wrong with an item at once.
/// </summary>
internal sealed partial class ItemReader(JsonElement item, IngestOptions limits)
{
    private const int MaxNameLength = 512;
    private const int MaxErrorLength = 32_768;
    private readonly List<(string Field, string Message)> _errors = [];

    public IReadOnlyList<(string Field, string Message)> Errors => _errors;

    public bool IsValid => _errors.Count == 0;

    public void Fail(string field, string message) => _errors.Add((field, message));

    public string? Id(string field, bool required)
    {
        var value = String(field, required, limits.MaxIdLength);
        if (value is not null && value.Any(char.IsControl))
        {
            Fail(field, $"{field} must not contain control characters.");
        }

        return value;
    }

    /// <summary>An id that is a path segment of a read endpoint (<c>/api/traces/{id}</c>): '.' and '..' are refused.</summary>
    public string? PathId(string field, bool required) => NotADotSegment(field, Id(field, required));

    public string? SessionId(string field)
    {
        var value = String(field, required: false, limits.MaxSessionIdLength);
        if (value is not null && value.Any(char.IsControl))
        {
            Fail(field, $"{field} must be printable characters only.");
        }

        return NotADotSegment(field, value);
    }

    /// <summary>
    /// Checks the text of every field (<see cref="JsonTextRules"/>): a key sent twice, a lone surrogate in any string or key.
    /// <paramref name="skip"/> names a field checked item by item elsewhere (a trace's nested spans).
    /// </summary>
    public void CheckText(string? skip = null)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in item.EnumerateObject())
        {
            var name = JsonTextRules.Name(property) ?? "";
            var problem = JsonTextRules.NameProblem(property, names) ?? (name == skip ? null : JsonTextRules.Problem(property.Value));
            if (problem is not null)
            {
                Fail(name, $"{(name.Length > 0 ? name : "The item")} {problem}");
            }
        }
    }

    // Browsers, proxies and the server normalize '.' and '..' path segments away, so such an id could never be read back.
    private string? NotADotSegment(string field, string? value)
    {
        if (value is "." or "..")
        {
            Fail(field, $"{field} must not be '.' or '..': such an id cannot be read back by its URL.");
            return null;
        }

        return value;
    }

    public string? Name(string field, bool required) => String(field, required, MaxNameLength);

    public string? Text(string field, int maxLength = MaxNameLength) => String(field, required: false, maxLength);

    public string? ErrorText(string field) => String(field, required: false, MaxErrorLength);

    public string? OneOf(string field, params string[] allowed)
    {
        var value = String(field, required: false, 64);
        if (value is not null && !allowed.Contains(value, StringComparer.Ordinal))
        {
            Fail(field, $"{field} must be one of {string.Join(", ", allowed.Select(a => $"'{a}'"))}.");
            return null;
        }

        return value;
    }

    public DateTimeOffset? Time(string field, bool required)
    {
        if (!TryGet(field, required, JsonValueKind.String, "an RFC 3339 time such as 2026-11-20T10:00:00Z", out var element))
        {
            return null;
        }

        var text = element.GetString()!;
        if (Rfc3339.TryParse(text, out var time))
        {
            return time;
        }

        Fail(field, $"{field} must be an RFC 3339 time with a time zone, such as 2026-11-20T10:00:00Z; got '{Truncate(text)}'.");
        return null;
    }

    public long? Integer(string field, long max)
    {
        if (!TryGet(field, false, JsonValueKind.Number, "an integer", out var element))
        {
            return null;
        }

        if (!element.TryGetInt64(out var value) || value < 0 || value > max)
        {
            Fail(field, $"{field} must be an integer from 0 to {max.ToString("N0", CultureInfo.InvariantCulture)}; got {Truncate(element.GetRawText())}.");
            return null;
        }

        return value;
    }

    public double? Number(string field, double max)
    {
        if (!TryGet(field, false, JsonValueKind.Number, "a number", out var element))
        {
            return null;
        }

        if (!element.TryGetDouble(out var value) || !double.IsFinite(value) || value < 0 || value > max)
        {
            Fail(field, $"{field} must be a number from 0 to {max.ToString("N0", CultureInfo.InvariantCulture)}; got {Truncate(element.GetRawText())}.");
            return null;
        }

        return value;
    }

    /// <summary>Any JSON (inputs and outputs), no deeper than the configured limit.</summary>
    public JsonElement? Json(string field) =>
        TryGet(field, false, null, "any JSON", out var element) && WithinDepth(field, element) ? element : null;

    /// <summary>A JSON object (metadata, attributes), no deeper than the configured limit.</summary>
    public JsonElement? Object(string field) =>
        TryGet(field, false, JsonValueKind.Object, "a JSON object", out var element) && WithinDepth(field, element) ? element : null;

    public IReadOnlyList<string>? Tags(string field)
    {
        if (!TryGet(field, false, JsonValueKind.Array, "an array of strings", out var element))
        {
            return null;
        }

        var count = element.GetArrayLength();
        if (count > limits.MaxTags)
        {
            Fail(field, $"{field} may hold at most {limits.MaxTags} tags; got {count}.");
            return null;
        }

        var tags = new List<string>(count);
        foreach (var tag in element.EnumerateArray())
        {
            if (tag.ValueKind != JsonValueKind.String || tag.GetString() is not { Length: > 0 } text || text.Length > limits.MaxTagLength)
            {
                Fail(field, $"{field} must hold strings of 1 to {limits.MaxTagLength} characters.");
                return null;
            }

            tags.Add(text);
        }

        return tags.Distinct(StringComparer.Ordinal).ToList();
    }

    public JsonElement? Array(string field) =>
        TryGet(field, false, JsonValueKind.Array, "an array", out var element) ? element : null;

    private string? String(string field, bool required, int maxLength)
    {
        if (!TryGet(field, required, JsonValueKind.String, "a string", out var element))
        {
            return null;
        }

        var value = element.GetString()!;
        if (value.Length == 0 || value.Length > maxLength)
        {
            Fail(field, $"{field} must be 1 to {maxLength} characters; got {value.Length}.");
            return null;
        }

        return value;
    }

    /// <summary>Finds the field; absent or null is fine unless required; a wrong JSON type is an error.</summary>
    private bool TryGet(string field, bool required, JsonValueKind? kind, string expected, out JsonElement element)
    {
        if (!item.TryGetProperty(field, out element) || element.ValueKind == JsonValueKind.Null)
        {
            if (required)
            {
                Fail(field, $"{field} is required.");
            }

            return false;
        }

        if (kind is { } k && element.ValueKind != k)
        {
            Fail(field, $"{field} must be {expected}; got a JSON {element.ValueKind.ToString().ToLowerInvariant()}.");
            return false;
        }

        return true;
    }

    private bool WithinDepth(string field, JsonElement element)
    {
        var depth = Depth(element);
        if (depth > limits.MaxPayloadDepth)
        {
            Fail(field, $"{field} nests {depth} levels deep; at most {limits.MaxPayloadDepth} are accepted.");
            return false;
        }

        return true;
    }

    private static int Depth(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => 1 + element.EnumerateObject().Select(p => Depth(p.Value)).DefaultIfEmpty(0).Max(),
        JsonValueKind.Array => 1 + element.EnumerateArray().Select(Depth).DefaultIfEmpty(0).Max(),
        _ => 0,
    };

    private static string Truncate(string text) => text.Length <= 40 ? text : text[..40] + "…";
}
