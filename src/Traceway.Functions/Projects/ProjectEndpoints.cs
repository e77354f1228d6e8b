using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using Traceway.Hosting;

namespace Traceway.Projects;

internal static class ProjectEndpoints
{
    /// <summary>Admin endpoints: create projects (with an ingest key and a read key) and manage their keys.</summary>
    public static RouteGroupBuilder MapProjects(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/projects").RequireScope(Scopes.Admin);
        group.MapGet("", ListProjects).WithSummary("List the projects");
        group.MapGet("/{projectId}", GetProject).WithSummary("Read a project with its retention and ingest limit");
        group.MapPatch("/{projectId}", UpdateProject).WithSummary("Change a project's retention (days, null for none) or ingest limit (null for the configured default)")
            .WithMetadata(new DocumentedBody(typeof(UpdateProjectRequest)));
        group.MapPost("", CreateProject).WithSummary("Create a project with an ingest key and a read key").WithMetadata(new DocumentedBody(typeof(CreateProjectRequest)));
        group.MapPost("/{projectId}/keys", CreateKey).WithSummary("Create a key of a project").WithMetadata(new DocumentedBody(typeof(CreateKeyRequest)));
        group.MapGet("/{projectId}/keys", ListKeys).WithSummary("List the keys of a project: id, name, scopes, creation time, never the secret");
        group.MapDelete("/{projectId}/keys/{keyId}", DeleteKey).WithSummary("Delete a key of a project");
        return group;
    }

    internal static async Task<Ok<List<ProjectView>>> ListProjects(ProjectStore store, CancellationToken cancellationToken) =>
        TypedResults.Ok((await store.ListProjectsAsync(cancellationToken)).Select(ProjectView.From).ToList());

    internal static async Task<Results<Ok<ProjectView>, ProblemHttpResult>> GetProject(string projectId, ProjectStore store, CancellationToken cancellationToken) =>
        await store.FindProjectAsync(projectId, cancellationToken) is { } project ? TypedResults.Ok(ProjectView.From(project)) : ProjectNotFound(projectId);

    /// <summary>
    /// Changes the settings the body names and keeps the others: <c>retentionDays</c> applies to what is written from
    /// now on; <c>ingestLimit</c> on this instance at once, on the others within <c>Traceway:KeyCacheSeconds</c>.
    /// </summary>
    internal static async Task<Results<Ok<ProjectView>, ValidationProblem, ProblemHttpResult>> UpdateProject(
        string projectId, HttpRequest request, ProjectStore store, CancellationToken cancellationToken)
    {
        var (body, problem) = await JsonBody.ReadAsync<JsonObject>(request, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        if (body is null)
        {
            return Invalid("body", "Send a JSON object with 'retentionDays' and/or 'ingestLimit'.");
        }

        var (settings, invalid) = ProjectSettings.Read(body);
        if (invalid is not null)
        {
            return Invalid(invalid.Value.Field, invalid.Value.Message);
        }

        var updated = await store.UpdateProjectAsync(projectId, settings.ApplyTo, cancellationToken);
        return updated is null ? ProjectNotFound(projectId) : TypedResults.Ok(ProjectView.From(updated));
    }

    internal static async Task<Results<Ok<List<KeyView>>, ProblemHttpResult>> ListKeys(string projectId, ProjectStore store, CancellationToken cancellationToken)
    {
        if (await store.FindProjectAsync(projectId, cancellationToken) is null)
        {
            return ProjectNotFound(projectId);
        }

        return TypedResults.Ok((await store.ListKeysAsync(projectId, cancellationToken)).Select(KeyView.From).ToList());
    }

    internal static async Task<Results<Created<CreatedProject>, ValidationProblem, ProblemHttpResult>> CreateProject(HttpRequest request, ProjectStore store, CancellationToken cancellationToken)
    {
        var (body, problem) = await JsonBody.ReadAsync<CreateProjectRequest>(request, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var name = body?.Name?.Trim();
        if (string.IsNullOrEmpty(name) || name.Length > 200)
        {
            return Invalid("name", "name is required, 1-200 characters.");
        }

        var project = await store.CreateProjectAsync(name, cancellationToken);
        var ingest = await store.CreateKeyAsync(project.Id, [Scopes.Ingest], "ingest", cancellationToken);
        var read = await store.CreateKeyAsync(project.Id, [Scopes.Read], "read", cancellationToken);
        return TypedResults.Created($"/api/projects/{project.Id}", new CreatedProject(project.Id, project.Name, [CreatedKey.From(ingest), CreatedKey.From(read)]));
    }

    internal static async Task<Results<Created<CreatedKey>, ValidationProblem, ProblemHttpResult>> CreateKey(string projectId, HttpRequest request, ProjectStore store, CancellationToken cancellationToken)
    {
        var (body, problem) = await JsonBody.ReadAsync<CreateKeyRequest>(request, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var scopes = body?.Scopes?.Distinct(StringComparer.Ordinal).ToList() ?? [];
        if (scopes.Count == 0 || !scopes.All(Scopes.ProjectScopes.Contains))
        {
            return Invalid("scopes", "scopes must list one or more of 'ingest', 'read' and 'delete'.");
        }

        if (body?.Name is { Length: > 200 })
        {
            return Invalid("name", "name must be at most 200 characters.");
        }

        if (await store.FindProjectAsync(projectId, cancellationToken) is null)
        {
            return ProjectNotFound(projectId);
        }

        var key = await store.CreateKeyAsync(projectId, scopes, body?.Name, cancellationToken);
        return TypedResults.Created($"/api/projects/{projectId}/keys/{key.Document.KeyId}", CreatedKey.From(key));
    }

    internal static async Task<Results<NoContent, ProblemHttpResult>> DeleteKey(string projectId, string keyId, ProjectStore store, CancellationToken cancellationToken) =>
        await store.DeleteKeyAsync(projectId, keyId, cancellationToken)
            ? TypedResults.NoContent()
            : TypedResults.Problem(statusCode: 404, title: "Key not found", detail: $"Project '{projectId}' has no key '{keyId}'.");

    internal static ProblemHttpResult ProjectNotFound(string projectId) =>
        TypedResults.Problem(statusCode: 404, title: "Project not found", detail: $"No project has the id '{projectId}'.");

    /// <summary>A 400 naming the field, with the same sentence as its detail (API.md: every problem says what to fix).</summary>
    private static ValidationProblem Invalid(string field, string message) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] }, detail: message);

    internal sealed record CreateProjectRequest(string? Name);

    internal sealed record CreateKeyRequest(IReadOnlyList<string>? Scopes, string? Name);

    internal sealed record CreatedProject(string Id, string Name, IReadOnlyList<CreatedKey> Keys);

    internal sealed record CreatedKey(string Id, string Key, IReadOnlyList<string> Scopes, string? Name)
    {
        public static CreatedKey From((ApiKeyDocument Document, string Key) created) =>
            new(created.Document.KeyId, created.Key, created.Document.Scopes, created.Document.Name);
    }

    /// <summary>The body of <c>PATCH /api/projects/{projectId}</c>, for the OpenAPI document (the handler reads it as JSON to tell null from absent).</summary>
    internal sealed record UpdateProjectRequest(int? RetentionDays, IngestLimit? IngestLimit);

    /// <summary>A project with its settings; null settings are shown (not left out): null means none, or the configured default.</summary>
    internal sealed record ProjectView(
        string Id,
        string Name,
        DateTimeOffset CreatedAt,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] int? RetentionDays,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] IngestLimit? IngestLimit)
    {
        public static ProjectView From(ProjectDocument project) => new(project.Id, project.Name, project.CreatedAt, project.RetentionDays, project.IngestLimit);
    }

    /// <summary>A key as listed: what it is and may do, never its secret or the secret's hash.</summary>
    internal sealed record KeyView(string Id, string? Name, IReadOnlyList<string> Scopes, DateTimeOffset CreatedAt)
    {
        public static KeyView From(ApiKeyDocument key) => new(key.KeyId, key.Name, key.Scopes, key.CreatedAt);
    }
}
