using System.Globalization;
using System.Text;

namespace Traceway.Documents;

/// <summary>
/// Partition keys and document ids derived from user ids. Cosmos ids cannot hold <c>/ \ ? #</c>, so
/// those, the <c>:</c> separator, control characters and <c>%</c> (which gateway paths may decode)
/// become <c>~XX</c> (hex of the character, <c>~</c> itself escaped too). The encoding round-trips;
/// the raw ids are kept in their own fields.
/// </summary>
internal static class DocumentKeys
{
    private const char Escape = '~';

    /// <summary>
    /// <c>{projectId}:s:{sessionId}</c> for a session, <c>{projectId}:t:{traceId}</c> for a trace without one,
    /// which gets its own partition (no hot "no session" partition). The s/t marker keeps a session id
    /// that looks like a trace key from ever sharing a partition with that trace.
    /// </summary>
    public static string PartitionKey(string projectId, string? sessionId, string traceId) =>
        sessionId is null ? $"{projectId}:t:{traceId}" : SessionPartitionKey(projectId, sessionId);

    public static string SessionPartitionKey(string projectId, string sessionId) => $"{projectId}:s:{sessionId}";

    public static string TraceDocumentId(string traceId) => "t:" + Encode(traceId);

    public static string SpanDocumentId(string traceId, string spanId) => "s:" + Encode(traceId) + ":" + Encode(spanId);

    /// <summary>Where a trace lives, point-readable in the trace index without a cross-partition query.</summary>
    public static string TraceIndexId(string projectId, string traceId) => projectId + ":" + Encode(traceId);

    public static string Encode(string value)
    {
        if (!value.Any(NeedsEscape))
        {
            return value;
        }

        var builder = new StringBuilder(value.Length + 8);
        foreach (var c in value)
        {
            if (NeedsEscape(c))
            {
                builder.Append(Escape).Append(((int)c).ToString("X2", CultureInfo.InvariantCulture));
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }

    public static string Decode(string encoded)
    {
        var builder = new StringBuilder(encoded.Length);
        for (var i = 0; i < encoded.Length; i++)
        {
            if (encoded[i] == Escape && i + 2 < encoded.Length)
            {
                builder.Append((char)int.Parse(encoded.AsSpan(i + 1, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                i += 2;
            }
            else
            {
                builder.Append(encoded[i]);
            }
        }

        return builder.ToString();
    }

    // Only ASCII characters are escaped, so two hex digits always suffice.
    private static bool NeedsEscape(char c) => c is Escape or '%' or '/' or '\\' or '?' or '#' or ':' || (c < 128 && char.IsControl(c));
}
