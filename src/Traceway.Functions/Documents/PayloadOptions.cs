using System.ComponentModel.DataAnnotations;

namespace Traceway.Documents;

/// <summary>
/// When an input or output moves to Blob storage. The setting keeps its deployed name,
/// <c>Traceway:Ingest:PayloadBlobThresholdBytes</c>, though the payload store, not ingestion, owns it.
/// </summary>
internal sealed class PayloadOptions
{
    public const string Section = "Traceway:Ingest";

    /// <summary>Span and trace inputs/outputs larger than this (serialized) go to Blob storage.</summary>
    [Range(1024, 1024 * 1024, ErrorMessage = "Traceway:Ingest:PayloadBlobThresholdBytes must be between 1 KB and 1 MB.")]
    public int PayloadBlobThresholdBytes { get; set; } = 64 * 1024;
}
