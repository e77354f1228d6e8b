using System.ComponentModel.DataAnnotations;

namespace Traceway.Telemetry;

/// <summary>Traceway's own telemetry (section <c>Traceway:Telemetry</c>); where it goes is set by the standard variables (README).</summary>
internal sealed class TelemetryOptions
{
    public const string Section = "Traceway:Telemetry";

    /// <summary>Also writes metrics and traces to the console (local runs without a collector).</summary>
    public bool Console { get; set; }

    [Range(1, 3600, ErrorMessage = "Traceway:Telemetry:LagRefreshSeconds must be between 1 and 3600.")]
    public int LagRefreshSeconds { get; set; } = 15;
}
