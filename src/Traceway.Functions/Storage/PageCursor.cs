using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Traceway.Storage;

/// <summary>
/// The one cursor format of every paged endpoint: an opaque wrapper around the Cosmos continuation that also names
/// the project and the query it belongs to, signed (HMAC-SHA256) so that an edited cursor is refused (400) instead of
/// being replayed. The key is the same on every instance of a deployment and across restarts
/// (<see cref="ForDeployment"/>), so a cursor from one instance pages on another.
/// </summary>
internal sealed class PageCursor(byte[] key)
{
    private const int SignatureBytes = 16;

    /// <summary>
    /// The deployment's cursor key: <c>Traceway:CursorKey</c> when set; else derived from the admin key, which every
    /// instance of a deployment shares (rotating it ends the cursors in flight: their next page is a 400); else, without
    /// either secret, from the Cosmos account and database, which still detects edits but does not stop forgery.
    /// </summary>
    public static PageCursor ForDeployment(IConfiguration configuration)
    {
        var secret = configuration["Traceway:CursorKey"] is { Length: > 0 } cursorKey ? "cursor-key:" + cursorKey
            : configuration["Traceway:AdminKey"] is { Length: > 0 } adminKey ? "admin-key:" + adminKey
            : $"store:{configuration["Traceway:Cosmos:AccountEndpoint"]}|{configuration["Traceway:Cosmos:DatabaseName"]}";
        return new PageCursor(SHA256.HashData(Encoding.UTF8.GetBytes("traceway-page-cursor-v1\n" + secret)));
    }

    public string? Encode(string projectId, string scope, string? continuation)
    {
        if (continuation is null)
        {
            return null;
        }

        var payload = JsonSerializer.SerializeToUtf8Bytes(new Payload(projectId, Hash(scope), continuation));
        return Base64Url.EncodeToString(payload) + "." + Base64Url.EncodeToString(Sign(payload));
    }

    /// <summary>The continuation inside a cursor, or an error that says why the cursor cannot be used here.</summary>
    public (string? Continuation, string? Error) Decode(string? cursor, string projectId, string scope)
    {
        if (string.IsNullOrEmpty(cursor))
        {
            return (null, null);
        }

        Payload? payload;
        try
        {
            var parts = cursor.Split('.');
            var bytes = parts.Length == 2 ? Base64Url.DecodeFromChars(parts[0]) : throw new FormatException();
            if (!CryptographicOperations.FixedTimeEquals(Sign(bytes), Base64Url.DecodeFromChars(parts[1])))
            {
                return (null, "cursor is not a cursor this API issued, or it was changed: pass back nextCursor exactly as it came.");
            }

            payload = JsonSerializer.Deserialize<Payload>(bytes);
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            return (null, "cursor is not a cursor this API issued.");
        }

        return payload is null || payload.P != projectId || payload.S != Hash(scope) || string.IsNullOrEmpty(payload.C)
            ? (null, "cursor belongs to another query: pass it back with the same parameters that produced it.")
            : (payload.C, null);
    }

    private byte[] Sign(byte[] payload) => HMACSHA256.HashData(key, payload)[..SignatureBytes];

    private static string Hash(string scope) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(scope)))[..16];

    private sealed record Payload(string P, string S, string C);
}
