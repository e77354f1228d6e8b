using System.Globalization;

namespace Traceway.Hosting;

/// <summary>Reads query-string parameters, recording a message that names each bad one.</summary>
internal static class QueryValues
{
    private const int MaxTextLength = 200;

    public static DateTimeOffset? Time(IQueryCollection query, string name, Dictionary<string, string[]> errors)
    {
        if (Single(query, name, errors) is not { } text)
        {
            return null;
        }

        if (Rfc3339.TryParse(text, out var time))
        {
            return time;
        }

        errors[name] = [$"{name} must be an RFC 3339 time with a time zone, such as 2026-11-20T10:00:00Z."];
        return null;
    }

    /// <summary><c>from</c> and <c>to</c>, the half-open interval [from, to) that activity must overlap.</summary>
    public static (DateTimeOffset? From, DateTimeOffset? To) Window(IQueryCollection query, Dictionary<string, string[]> errors)
    {
        var from = Time(query, "from", errors);
        var to = Time(query, "to", errors);
        if (from is not null && to is not null && to <= from)
        {
            errors["to"] = ["to must be after from."];
        }

        return (from, to);
    }

    public static double? Number(IQueryCollection query, string name, Dictionary<string, string[]> errors)
    {
        if (Single(query, name, errors) is not { } text)
        {
            return null;
        }

        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value) && value >= 0)
        {
            return value;
        }

        errors[name] = [$"{name} must be a number of at least 0."];
        return null;
    }

    public static int Limit(IQueryCollection query, int defaultLimit, int max, Dictionary<string, string[]> errors)
    {
        if (Single(query, "limit", errors) is not { } text)
        {
            return defaultLimit;
        }

        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= 1 && value <= max)
        {
            return value;
        }

        errors["limit"] = [$"limit must be a whole number from 1 to {max}."];
        return defaultLimit;
    }

    public static string? OneOf(IQueryCollection query, string name, string[] allowed, Dictionary<string, string[]> errors)
    {
        var value = Single(query, name, errors);
        if (value is null || allowed.Contains(value, StringComparer.Ordinal))
        {
            return value;
        }

        errors[name] = [$"{name} must be one of {string.Join(", ", allowed)}."];
        return null;
    }

    /// <summary><c>order</c>: <c>desc</c> (the default) or <c>asc</c>.</summary>
    public static string Order(IQueryCollection query, Dictionary<string, string[]> errors) => OneOf(query, "order", ["asc", "desc"], errors) ?? "desc";

    public static string? Text(IQueryCollection query, string name, Dictionary<string, string[]> errors)
    {
        var value = Single(query, name, errors);
        if (value is { Length: > MaxTextLength })
        {
            errors[name] = [$"{name} must be at most {MaxTextLength} characters."];
            return null;
        }

        return value;
    }

    public static IReadOnlyList<string> Texts(IQueryCollection query, string name, Dictionary<string, string[]> errors)
    {
        var values = query[name].Where(v => v is not null).Select(v => v!).ToList();
        if (values.Any(v => v.Length is 0 or > MaxTextLength) || values.Count > 20)
        {
            errors[name] = [$"each {name} must be 1 to {MaxTextLength} characters, at most 20 of them."];
            return [];
        }

        return values.Distinct(StringComparer.Ordinal).ToList();
    }

    /// <summary>The parameter's one value; null when absent; an error when given twice or empty.</summary>
    private static string? Single(IQueryCollection query, string name, Dictionary<string, string[]> errors)
    {
        var values = query[name];
        if (values.Count == 0)
        {
            return null;
        }

        if (values.Count > 1 || string.IsNullOrEmpty(values[0]))
        {
            errors[name] = [$"{name} must be given once, with a value."];
            return null;
        }

        return values[0];
    }
}
