using System.ComponentModel.DataAnnotations;

namespace Traceway.Ingestion;

/// <summary>Limits and tuning of <c>POST /api/ingest</c> (section <c>Traceway:Ingest</c>).</summary>
internal sealed class IngestOptions
{
    public const string Section = "Traceway:Ingest";

    [Range(1024, 100 * 1024 * 1024, ErrorMessage = "Traceway:Ingest:MaxBodyBytes must be between 1 KB and 100 MB.")]
    public int MaxBodyBytes { get; set; } = 5 * 1024 * 1024;

    [Range(1, 100_000, ErrorMessage = "Traceway:Ingest:MaxItems must be between 1 and 100000.")]
    public int MaxItems { get; set; } = 1000;

    [Range(1, 256, ErrorMessage = "Traceway:Ingest:MaxIdLength must be between 1 and 256.")]
    public int MaxIdLength { get; set; } = 128;

    [Range(1, 1000, ErrorMessage = "Traceway:Ingest:MaxSessionIdLength must be between 1 and 1000.")]
    public int MaxSessionIdLength { get; set; } = 200;

    [Range(0, 1000, ErrorMessage = "Traceway:Ingest:MaxTags must be between 0 and 1000.")]
    public int MaxTags { get; set; } = 50;

    [Range(1, 1000, ErrorMessage = "Traceway:Ingest:MaxTagLength must be between 1 and 1000.")]
    public int MaxTagLength { get; set; } = 200;

    /// <summary>Deepest nesting accepted inside input, output, metadata and attributes.</summary>
    [Range(2, 120, ErrorMessage = "Traceway:Ingest:MaxPayloadDepth must be between 2 and 120.")]
    public int MaxPayloadDepth { get; set; } = 64;

    /// <summary>
    /// The ingest limit of a project that has none of its own, per instance; 0: none (the default, see the README's
    /// Data lifecycle section: the right rate depends on the account's throughput and the number of instances).
    /// </summary>
    [Range(0, 1_000_000, ErrorMessage = "Traceway:Ingest:DefaultSpansPerSecond must be between 0 (no limit) and 1000000.")]
    public int DefaultSpansPerSecond { get; set; }

    /// <summary>The burst of that default limit; 0: two seconds' worth of <see cref="DefaultSpansPerSecond"/>.</summary>
    [Range(0, 10_000_000, ErrorMessage = "Traceway:Ingest:DefaultBurst must be between 0 (twice DefaultSpansPerSecond) and 10000000.")]
    public int DefaultBurst { get; set; }

    [Range(1, 256, ErrorMessage = "Traceway:Ingest:MaxParallelWrites must be between 1 and 256.")]
    public int MaxParallelWrites { get; set; } = 32;
}
