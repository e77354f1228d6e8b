using System.ComponentModel.DataAnnotations;

namespace Traceway.Projects;

/// <summary>The admin key and how long key lookups are cached (section <c>Traceway</c>).</summary>
internal sealed class AuthOptions
{
    public const string Section = "Traceway";

    /// <summary>Manages projects. No default: without it the admin endpoints answer 401 to everyone.</summary>
    public string? AdminKey { get; set; }

    /// <summary>How long a key lookup is cached; a deleted key stops working within this time.</summary>
    [Range(0, 30, ErrorMessage = "Traceway:KeyCacheSeconds must be between 0 and 30.")]
    public int KeyCacheSeconds { get; set; } = 15;
}
