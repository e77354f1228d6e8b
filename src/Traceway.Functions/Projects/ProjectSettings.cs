using System.Text.Json;
using System.Text.Json.Nodes;

namespace Traceway.Projects;

/// <summary>
/// The settings a <c>PATCH /api/projects/{projectId}</c> body changes: a property left out keeps its value, a null
/// clears it (no retention; the configured ingest limit).
/// </summary>
internal sealed record ProjectSettings(bool SetsRetention, int? RetentionDays, bool SetsIngestLimit, IngestLimit? IngestLimit)
{
    public const int MaxRetentionDays = 3650;
    public const int MaxSpansPerSecond = 1_000_000;
    public const int MaxBurst = 10_000_000;

    public ProjectDocument ApplyTo(ProjectDocument project) => project with
    {
        RetentionDays = SetsRetention ? RetentionDays : project.RetentionDays,
        IngestLimit = SetsIngestLimit ? IngestLimit : project.IngestLimit,
    };

    /// <summary>The settings of <paramref name="body"/>, or the first field that is wrong and why.</summary>
    public static (ProjectSettings Settings, (string Field, string Message)? Invalid) Read(JsonObject body)
    {
        var none = new ProjectSettings(false, null, false, null);
        if (body.Select(p => p.Key).FirstOrDefault(k => k is not ("retentionDays" or "ingestLimit")) is { } unknown)
        {
            return (none, (unknown, $"'{unknown}' is not a project setting; send 'retentionDays' and/or 'ingestLimit'."));
        }

        if (body.Count == 0)
        {
            return (none, ("body", "Send 'retentionDays' and/or 'ingestLimit'."));
        }

        int? retention = null;
        if (body.TryGetPropertyValue("retentionDays", out var days) && days is not null)
        {
            retention = WholeNumber(days, 1, MaxRetentionDays);
            if (retention is null)
            {
                return (none, ("retentionDays", $"retentionDays must be a whole number of days from 1 to {MaxRetentionDays}, or null to keep data forever."));
            }
        }

        IngestLimit? limit = null;
        if (body.TryGetPropertyValue("ingestLimit", out var limitNode) && limitNode is not null)
        {
            if (limitNode is not JsonObject limitObject || limitObject.Select(p => p.Key).Any(k => k is not ("spansPerSecond" or "burst")))
            {
                return (none, ("ingestLimit", "ingestLimit must be an object {\"spansPerSecond\", \"burst\"}, or null for the configured default."));
            }

            var rate = limitObject["spansPerSecond"] is { } r ? WholeNumber(r, 1, MaxSpansPerSecond) : null;
            if (rate is null)
            {
                return (none, ("ingestLimit.spansPerSecond", $"ingestLimit.spansPerSecond must be a whole number from 1 to {MaxSpansPerSecond}."));
            }

            var burst = limitObject["burst"] is { } b ? WholeNumber(b, 1, MaxBurst) : null;
            if (burst is null)
            {
                return (none, ("ingestLimit.burst", $"ingestLimit.burst must be a whole number of spans from 1 to {MaxBurst}."));
            }

            limit = new IngestLimit(rate.Value, burst.Value);
        }

        return (new ProjectSettings(body.ContainsKey("retentionDays"), retention, body.ContainsKey("ingestLimit"), limit), null);
    }

    private static int? WholeNumber(JsonNode node, int min, int max) =>
        node.GetValueKind() == JsonValueKind.Number && node.AsValue().TryGetValue(out int value) && value >= min && value <= max ? value : null;
}
