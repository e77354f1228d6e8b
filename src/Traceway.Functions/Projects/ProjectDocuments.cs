namespace Traceway.Projects;

/// <summary>A project (tenant); document id = project id in the <c>projects</c> container.</summary>
internal sealed record ProjectDocument(string Id, string Name, DateTimeOffset CreatedAt, string Type = "project");

/// <summary>An API key of a project; document id <c>key:{keyId}</c>, holding the secret's hash only.</summary>
internal sealed record ApiKeyDocument(string Id, string ProjectId, string KeyId, string? Name, IReadOnlyList<string> Scopes, string SecretHash, DateTimeOffset CreatedAt, string Type = "key")
{
    public static string DocumentId(string keyId) => "key:" + keyId;
}
