using System.Net;
using System.Text.Json;
using Microsoft.Azure.Cosmos;
using Traceway.Deletion;
using Traceway.Documents;
using Traceway.Hosting;
using Traceway.Storage;

namespace Traceway.Erasure;

/// <summary>
/// An erasure of one end user's traces in a project, stored in the <c>projects</c> container (id <c>erasure:{id}</c>) so
/// it survives a restart. <see cref="Owner"/> and <see cref="Heartbeat"/> are the lease of the instance running it.
/// </summary>
internal sealed record ErasureJob(
    string Id,
    string ProjectId,
    string ErasureId,
    string UserId,
    string Status,
    DeletionCounts Removed,
    DateTimeOffset CreatedAt,
    DateTimeOffset? CompletedAt = null,
    string? Owner = null,
    DateTimeOffset? Heartbeat = null,
    int Attempts = 0,
    string? Error = null,
    string Type = ErasureJob.DocumentType)
{
    public const string DocumentType = "erasure";
    public const string Running = "running";
    public const string Done = "done";
    public const string Failed = "failed";

    public static string DocumentId(string erasureId) => "erasure:" + erasureId;
}

/// <summary>Erasure jobs in the store, and the work of one: deleting every trace of the user, a page at a time.</summary>
internal sealed class ErasureJobs(TracewayStores stores, TraceDeletion deletion, TimeProvider clock)
{
    private const int TracesPerStep = 100;
    private const int MaxAttempts = 5;

    public async Task<ErasureJob> CreateAsync(string projectId, string userId, CancellationToken cancellationToken)
    {
        var erasureId = Guid.NewGuid().ToString("N");
        var job = new ErasureJob(ErasureJob.DocumentId(erasureId), projectId, erasureId, userId, ErasureJob.Running, new DeletionCounts(0, 0, 0), clock.GetUtcNow());
        await stores.Projects.CreateItemAsync(job, new PartitionKey(job.Id), cancellationToken: cancellationToken);
        return job;
    }

    public async Task<ErasureJob?> FindAsync(string projectId, string erasureId, CancellationToken cancellationToken)
    {
        var id = ErasureJob.DocumentId(erasureId);
        var (job, _) = await stores.Projects.ReadItemOrDefaultAsync<ErasureJob>(id, new PartitionKey(id), cancellationToken);
        return job?.ProjectId == projectId ? job : null;
    }

    /// <summary>Running jobs nobody holds: never claimed, or whose holder stopped renewing its lease (a restart, a crash).</summary>
    public async Task<List<ErasureJob>> UnclaimedAsync(TimeSpan lease, CancellationToken cancellationToken)
    {
        var query = new QueryDefinition("SELECT * FROM c WHERE c.type = @type AND c.status = @status")
            .WithParameter("@type", ErasureJob.DocumentType).WithParameter("@status", ErasureJob.Running);
        var jobs = new List<ErasureJob>();
        using var iterator = stores.Projects.GetItemQueryIterator<ErasureJob>(query);
        while (iterator.HasMoreResults)
        {
            jobs.AddRange(await iterator.ReadNextAsync(cancellationToken));
        }

        var now = clock.GetUtcNow();
        return jobs.Where(j => j.Heartbeat is null || now - j.Heartbeat > lease).ToList();
    }

    /// <summary>
    /// Runs a job to its end as <paramref name="owner"/>: claims it, then deletes the user's traces a page at a time,
    /// storing the counts after each page. Stops when another instance took the job over (its lease expired).
    /// Running it again is safe: it finds whatever traces of the user remain.
    /// </summary>
    public async Task RunAsync(ErasureJob unclaimed, string owner, CancellationToken cancellationToken)
    {
        var (job, etag) = await ReadAsync(unclaimed.Id, cancellationToken);
        if (job is not { Status: ErasureJob.Running } || (job.Heartbeat != unclaimed.Heartbeat))
        {
            return;
        }

        job = job with { Owner = owner, Heartbeat = clock.GetUtcNow(), Attempts = job.Attempts + 1 };
        if ((etag = await TryReplaceAsync(job, etag, cancellationToken)) is null)
        {
            return;
        }

        try
        {
            while (true)
            {
                var traces = await UserTracesAsync(job.ProjectId, job.UserId, cancellationToken);
                if (traces.Count == 0)
                {
                    await TryReplaceAsync(job with { Status = ErasureJob.Done, CompletedAt = clock.GetUtcNow(), Heartbeat = clock.GetUtcNow() }, etag, cancellationToken);
                    return;
                }

                var removed = await deletion.DeleteTracesAsync(job.ProjectId, traces, cancellationToken);
                job = job with
                {
                    Heartbeat = clock.GetUtcNow(),
                    Removed = new DeletionCounts(job.Removed.Traces + removed.Traces, job.Removed.Spans + removed.Spans, job.Removed.Sessions + removed.Sessions),
                };
                if ((etag = await TryReplaceAsync(job, etag, cancellationToken)) is null)
                {
                    return;
                }
            }
        }
        catch (Exception e) when (e is not OperationCanceledException && job.Attempts >= MaxAttempts)
        {
            await TryReplaceAsync(job with { Status = ErasureJob.Failed, Error = e.Message, CompletedAt = clock.GetUtcNow() }, etag, CancellationToken.None);
        }
    }

    /// <summary>A page of the user's traces, where their documents are (trace documents carry the user id).</summary>
    private async Task<List<TraceLocation>> UserTracesAsync(string projectId, string userId, CancellationToken cancellationToken)
    {
        var query = new QueryDefinition(
            $"SELECT TOP {TracesPerStep} c.traceId, c.sessionId, c.pk FROM c WHERE c.projectId = @projectId AND c.type = @type AND c.userId = @userId")
            .WithParameter("@projectId", projectId).WithParameter("@type", TraceDocument.DocumentType).WithParameter("@userId", userId);
        var found = new List<TraceLocation>();
        using var iterator = stores.Traces.GetItemQueryIterator<UserTrace>(query);
        while (iterator.HasMoreResults && found.Count < TracesPerStep)
        {
            found.AddRange((await iterator.ReadNextAsync(cancellationToken)).Select(t =>
                new TraceLocation(DocumentKeys.TraceIndexId(projectId, t.TraceId), projectId, t.TraceId, t.SessionId, t.Pk)));
        }

        return found.DistinctBy(t => t.TraceId, StringComparer.Ordinal).Take(TracesPerStep).ToList();
    }

    private async Task<(ErasureJob? Job, string? ETag)> ReadAsync(string id, CancellationToken cancellationToken) =>
        await stores.Projects.ReadItemOrDefaultAsync<ErasureJob>(id, new PartitionKey(id), cancellationToken);

    /// <summary>The new ETag, or null when the job changed meanwhile (another instance holds it now).</summary>
    private async Task<string?> TryReplaceAsync(ErasureJob job, string? etag, CancellationToken cancellationToken)
    {
        using var response = await stores.Projects.ReplaceItemStreamAsync(
            new MemoryStream(JsonSerializer.SerializeToUtf8Bytes(job, TracewayJson.Options)), job.Id, new PartitionKey(job.Id),
            new ItemRequestOptions { IfMatchEtag = etag }, cancellationToken);
        if (response.StatusCode is HttpStatusCode.PreconditionFailed or HttpStatusCode.NotFound)
        {
            return null;
        }

        response.EnsureSuccessStatusCode();
        return response.Headers.ETag;
    }

    private sealed record UserTrace(string TraceId, string? SessionId, string Pk);
}
