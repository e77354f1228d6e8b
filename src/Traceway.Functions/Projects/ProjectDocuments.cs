namespace Traceway.Projects;

/// <summary>
/// A project (tenant); document id = project id in the <c>projects</c> container. Its settings, null when the
/// configured default applies: <see cref="RetentionDays"/> (keep data forever when null) and <see cref="IngestLimit"/>.
/// </summary>
internal sealed record ProjectDocument(string Id, string Name, DateTimeOffset CreatedAt, string Type = "project")
{
    public int? RetentionDays { get; init; }

    public IngestLimit? IngestLimit { get; init; }

    /// <summary>Cosmos DB's concurrency token, so that two settings changes cannot overwrite each other.</summary>
    [System.Text.Json.Serialization.JsonPropertyName("_etag")]
    public string? ETag { get; init; }
}

/// <summary>A project's ingest rate: spans per second on average, with bursts of up to <see cref="Burst"/> spans.</summary>
internal sealed record IngestLimit(int SpansPerSecond, int Burst);

/// <summary>An API key of a project; document id <c>key:{keyId}</c>, holding the secret's hash only.</summary>
internal sealed record ApiKeyDocument(string Id, string ProjectId, string KeyId, string? Name, IReadOnlyList<string> Scopes, string SecretHash, DateTimeOffset CreatedAt, string Type = "key")
{
    public static string DocumentId(string keyId) => "key:" + keyId;
}
