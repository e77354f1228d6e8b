using System.ComponentModel.DataAnnotations;

namespace Traceway.Rollups;

/// <summary>The change feed processor hosted in the app (section <c>Traceway:ChangeFeed</c>), in both hostings.</summary>
internal sealed class RollupOptions
{
    public const string Section = "Traceway:ChangeFeed";

    [Range(10, 60_000, ErrorMessage = "Traceway:ChangeFeed:PollIntervalMs must be between 10 and 60000.")]
    public int PollIntervalMs { get; set; } = 200;

    [Range(1, 10_000, ErrorMessage = "Traceway:ChangeFeed:MaxItemsPerBatch must be between 1 and 10000.")]
    public int MaxItemsPerBatch { get; set; } = 1000;

    /// <summary>Names the processor's leases in the <c>leases</c> container.</summary>
    [Required(ErrorMessage = "Traceway:ChangeFeed:ProcessorName must not be empty.")]
    public string ProcessorName { get; set; } = "rollups";
}
