using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Traceway.Storage;

/// <summary>
/// The one cursor format of every paged endpoint: an opaque wrapper around the Cosmos continuation that
/// also names the project and the query it belongs to, so a cursor from another project or another
/// filter is refused (400) instead of being replayed.
/// </summary>
internal static class PageCursor
{
    public static string? Encode(string projectId, string scope, string? continuation) =>
        continuation is null ? null : Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(new Payload(projectId, Hash(scope), continuation)));

    /// <summary>The continuation inside a cursor, or an error that says why the cursor cannot be used here.</summary>
    public static (string? Continuation, string? Error) Decode(string? cursor, string projectId, string scope)
    {
        if (string.IsNullOrEmpty(cursor))
        {
            return (null, null);
        }

        Payload? payload;
        try
        {
            payload = JsonSerializer.Deserialize<Payload>(Base64Url.DecodeFromChars(cursor));
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            return (null, "cursor is not a cursor this API issued.");
        }

        return payload is null || payload.P != projectId || payload.S != Hash(scope) || string.IsNullOrEmpty(payload.C)
            ? (null, "cursor belongs to another query: pass it back with the same parameters that produced it.")
            : (payload.C, null);
    }

    private static string Hash(string scope) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(scope)))[..16];

    private sealed record Payload(string P, string S, string C);
}
