using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Traceway.Projects;

/// <summary>What a key may do. A project key carries one or more; the admin key manages projects (and may delete too).</summary>
internal static class Scopes
{
    public const string Ingest = "ingest";
    public const string Read = "read";
    public const string Admin = "admin";

    /// <summary>Deletes sessions and traces. Never given to a new project's default keys: it is asked for explicitly.</summary>
    public const string Delete = "delete";

    public static readonly IReadOnlySet<string> ProjectScopes = new HashSet<string>(StringComparer.Ordinal) { Ingest, Read, Delete };
}

/// <summary>
/// Project API keys: <c>tw_{keyId}_{secret}</c>, 64-bit key id (hex) and 256-bit secret (base64url).
/// Only the secret's SHA-256 is stored; a fast hash is enough because the secret is random, not a password.
/// </summary>
internal static class ApiKeys
{
    private const string Prefix = "tw_";
    private const int KeyIdLength = 16;

    public static (string KeyId, string Key, string SecretHash) Generate()
    {
        var keyId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(KeyIdLength / 2));
        var secret = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        return (keyId, $"{Prefix}{keyId}_{secret}", Hash(secret));
    }

    /// <summary>Splits a presented key into its id and secret; false for anything not shaped like a project key.</summary>
    public static bool TryParse(string key, out string keyId, out string secret)
    {
        keyId = secret = "";
        if (!key.StartsWith(Prefix, StringComparison.Ordinal) || key.Length < Prefix.Length + KeyIdLength + 2 || key[Prefix.Length + KeyIdLength] != '_')
        {
            return false;
        }

        keyId = key.Substring(Prefix.Length, KeyIdLength);
        secret = key[(Prefix.Length + KeyIdLength + 1)..];
        return keyId.All(char.IsAsciiHexDigitLower);
    }

    public static string Hash(string secret) => Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    /// <summary>Compares in constant time, so response timing tells nothing about how much of a key was right.</summary>
    public static bool Matches(string secret, string storedHash) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Hash(secret)), Encoding.ASCII.GetBytes(storedHash));

    public static bool MatchesAdmin(string presented, string adminKey) =>
        CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(presented)), SHA256.HashData(Encoding.UTF8.GetBytes(adminKey)));
}
