using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Traceway.Hosting;
using Traceway.Projects;

namespace Traceway.Documents;

/// <summary>
/// A project's retention as Cosmos DB's per-item time to live: every trace-data document written for a project with
/// <c>retentionDays</c> carries <c>ttl</c> (seconds), so the store itself removes it that long after its last write.
/// The containers have time to live on with no default (<c>infra/cosmos-containers.json</c>), so documents of other
/// projects stay.
/// </summary>
internal sealed class Retention(ProjectStore projects, IOptions<RetentionOptions> options)
{
    /// <summary>The <c>ttl</c> of documents written now for the project; null when it keeps its data.</summary>
    public async Task<int?> TtlSecondsAsync(string projectId, CancellationToken cancellationToken) =>
        (await projects.FindProjectCachedAsync(projectId, cancellationToken))?.RetentionDays is { } days
            ? (int)Math.Min(int.MaxValue, (long)days * options.Value.SecondsPerDay)
            : null;

    /// <summary>The same for a document of partition <paramref name="pk"/> (<c>{projectId}:...</c>).</summary>
    public Task<int?> TtlSecondsForPartitionAsync(string pk, CancellationToken cancellationToken) =>
        TtlSecondsAsync(pk[..Math.Max(0, pk.IndexOf(':', StringComparison.Ordinal))], cancellationToken);

    /// <summary>The document's JSON, with <c>ttl</c> when <paramref name="ttl"/> has a value.</summary>
    public static MemoryStream Serialize<T>(T document, int? ttl)
    {
        if (ttl is null)
        {
            return new(JsonSerializer.SerializeToUtf8Bytes(document, TracewayJson.Options));
        }

        var json = JsonSerializer.SerializeToNode(document, TracewayJson.Options)!.AsObject();
        json["ttl"] = ttl.Value;
        return new(JsonSerializer.SerializeToUtf8Bytes(json, TracewayJson.Options));
    }
}

/// <summary>Section <c>Traceway:Retention</c>.</summary>
internal sealed class RetentionOptions
{
    public const string Section = "Traceway:Retention";

    /// <summary>Seconds in a retention day: 86400; tests shorten it to see documents expire.</summary>
    [Range(1, 86400, ErrorMessage = "Traceway:Retention:SecondsPerDay must be between 1 and 86400.")]
    public int SecondsPerDay { get; set; } = 86400;
}
