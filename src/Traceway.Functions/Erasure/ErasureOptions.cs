using System.ComponentModel.DataAnnotations;

namespace Traceway.Erasure;

/// <summary>How erasure jobs are run (section <c>Traceway:Erasure</c>).</summary>
internal sealed class ErasureOptions
{
    public const string Section = "Traceway:Erasure";

    /// <summary>Run erasure jobs in this instance (off only for an instance that must do no such work).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How often running jobs whose holder stopped are looked for.</summary>
    [Range(1, 3600, ErrorMessage = "Traceway:Erasure:PollSeconds must be between 1 and 3600.")]
    public int PollSeconds { get; set; } = 10;

    /// <summary>A job whose holder has not renewed it for this long is taken over (each page of 100 traces renews it).</summary>
    [Range(5, 3600, ErrorMessage = "Traceway:Erasure:LeaseSeconds must be between 5 and 3600.")]
    public int LeaseSeconds { get; set; } = 120;
}
