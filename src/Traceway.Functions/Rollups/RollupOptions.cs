using System.ComponentModel.DataAnnotations;

namespace Traceway.Rollups;

/// <summary>The in-process change feed processor (section <c>Traceway:ChangeFeed</c>), used when no Functions host runs the trigger.</summary>
internal sealed class RollupOptions
{
    public const string Section = "Traceway:ChangeFeed";

    /// <summary>
    /// <c>Traceway:ChangeFeed:Enabled</c> switches the processor; it defaults to on standalone and off under the
    /// Functions host, whose cosmosDBTrigger calls the app instead. Read at start-up, before options exist.
    /// </summary>
    public const string EnabledSetting = Section + ":Enabled";

    [Range(10, 60_000, ErrorMessage = "Traceway:ChangeFeed:PollIntervalMs must be between 10 and 60000.")]
    public int PollIntervalMs { get; set; } = 200;

    [Range(1, 10_000, ErrorMessage = "Traceway:ChangeFeed:MaxItemsPerBatch must be between 1 and 10000.")]
    public int MaxItemsPerBatch { get; set; } = 100;

    /// <summary>Names the processor's leases; the Functions trigger uses its own prefix, so both can coexist.</summary>
    [Required(ErrorMessage = "Traceway:ChangeFeed:ProcessorName must not be empty.")]
    public string ProcessorName { get; set; } = "rollups";
}
