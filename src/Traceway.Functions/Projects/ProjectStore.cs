using System.Net;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using Traceway.Storage;

namespace Traceway.Projects;

/// <summary>Projects and their hashed API keys in the <c>projects</c> container.</summary>
internal sealed class ProjectStore(TracewayStores stores, IMemoryCache cache, IOptions<AuthOptions> options, TimeProvider clock)
{
    public async Task<ProjectDocument> CreateProjectAsync(string name, CancellationToken cancellationToken)
    {
        var project = new ProjectDocument(Guid.NewGuid().ToString("N"), name, clock.GetUtcNow());
        await stores.Projects.CreateItemAsync(project, new PartitionKey(project.Id), cancellationToken: cancellationToken);
        return project;
    }

    public async Task<ProjectDocument?> FindProjectAsync(string projectId, CancellationToken cancellationToken) =>
        (await stores.Projects.ReadItemOrDefaultAsync<ProjectDocument>(projectId, new PartitionKey(projectId), cancellationToken)).Item;

    /// <summary>
    /// The project from a short cache (<c>Traceway:KeyCacheSeconds</c>, like keys), for the ingest path's settings: steady
    /// traffic costs no Cosmos read, and another instance sees a settings change within that time.
    /// </summary>
    public async Task<ProjectDocument?> FindProjectCachedAsync(string projectId, CancellationToken cancellationToken)
    {
        if (cache.TryGetValue(ProjectCacheKey(projectId), out ProjectDocument? cached))
        {
            return cached;
        }

        var project = await FindProjectAsync(projectId, cancellationToken);
        cache.Set(ProjectCacheKey(projectId), project, TimeSpan.FromSeconds(options.Value.KeyCacheSeconds));
        return project;
    }

    /// <summary>Applies <paramref name="change"/> to the stored project (again on a concurrent change); null for an unknown project.</summary>
    public async Task<ProjectDocument?> UpdateProjectAsync(string projectId, Func<ProjectDocument, ProjectDocument> change, CancellationToken cancellationToken)
    {
        while (true)
        {
            var stored = await FindProjectAsync(projectId, cancellationToken);
            if (stored is null)
            {
                return null;
            }

            try
            {
                var response = await stores.Projects.ReplaceItemAsync(
                    change(stored) with { ETag = null }, projectId, new PartitionKey(projectId), new ItemRequestOptions { IfMatchEtag = stored.ETag }, cancellationToken);
                cache.Set(ProjectCacheKey(projectId), response.Resource, TimeSpan.FromSeconds(options.Value.KeyCacheSeconds));
                return response.Resource;
            }
            catch (CosmosException e) when (e.StatusCode == HttpStatusCode.PreconditionFailed)
            {
                // Changed meanwhile: apply the change to what is stored now.
            }
        }
    }

    /// <summary>Every project, oldest first.</summary>
    public Task<List<ProjectDocument>> ListProjectsAsync(CancellationToken cancellationToken) =>
        QueryAsync<ProjectDocument>(new QueryDefinition("SELECT * FROM c WHERE c.type = 'project' ORDER BY c.createdAt"), cancellationToken);

    /// <summary>The keys of a project, oldest first.</summary>
    public Task<List<ApiKeyDocument>> ListKeysAsync(string projectId, CancellationToken cancellationToken) =>
        QueryAsync<ApiKeyDocument>(
            new QueryDefinition("SELECT * FROM c WHERE c.type = 'key' AND c.projectId = @projectId ORDER BY c.createdAt").WithParameter("@projectId", projectId),
            cancellationToken);

    /// <summary>Creates a key and returns it with its one-time plain value.</summary>
    public async Task<(ApiKeyDocument Document, string Key)> CreateKeyAsync(string projectId, IReadOnlyList<string> scopes, string? name, CancellationToken cancellationToken)
    {
        var (keyId, key, hash) = ApiKeys.Generate();
        var document = new ApiKeyDocument(ApiKeyDocument.DocumentId(keyId), projectId, keyId, name, scopes, hash, clock.GetUtcNow());
        await stores.Projects.CreateItemAsync(document, new PartitionKey(document.Id), cancellationToken: cancellationToken);
        return (document, key);
    }

    /// <summary>Deletes a key of the project; false when the project has no such key.</summary>
    public async Task<bool> DeleteKeyAsync(string projectId, string keyId, CancellationToken cancellationToken)
    {
        var existing = await ReadKeyAsync(keyId, cancellationToken);
        if (existing is null || existing.ProjectId != projectId)
        {
            return false;
        }

        using var response = await stores.Projects.DeleteItemStreamAsync(existing.Id, new PartitionKey(existing.Id), cancellationToken: cancellationToken);
        cache.Remove(CacheKey(keyId));
        return response.IsSuccessStatusCode || response.StatusCode == HttpStatusCode.NotFound;
    }

    /// <summary>The key document for a key id, from a short cache so steady traffic costs no Cosmos read.</summary>
    public async Task<ApiKeyDocument?> FindKeyAsync(string keyId, CancellationToken cancellationToken)
    {
        if (cache.TryGetValue(CacheKey(keyId), out ApiKeyDocument? cached))
        {
            return cached;
        }

        var document = await ReadKeyAsync(keyId, cancellationToken);
        cache.Set(CacheKey(keyId), document, TimeSpan.FromSeconds(options.Value.KeyCacheSeconds));
        return document;
    }

    private async Task<ApiKeyDocument?> ReadKeyAsync(string keyId, CancellationToken cancellationToken)
    {
        var id = ApiKeyDocument.DocumentId(keyId);
        return (await stores.Projects.ReadItemOrDefaultAsync<ApiKeyDocument>(id, new PartitionKey(id), cancellationToken)).Item;
    }

    private async Task<List<T>> QueryAsync<T>(QueryDefinition query, CancellationToken cancellationToken)
    {
        var results = new List<T>();
        using var iterator = stores.Projects.GetItemQueryIterator<T>(query);
        while (iterator.HasMoreResults)
        {
            results.AddRange(await iterator.ReadNextAsync(cancellationToken));
        }

        return results;
    }

    private static string CacheKey(string keyId) => "api-key:" + keyId;

    private static string ProjectCacheKey(string projectId) => "project:" + projectId;
}
