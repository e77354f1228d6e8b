using System.ComponentModel.DataAnnotations;

namespace Traceway.Storage;

/// <summary>Cosmos DB account settings (section <c>Traceway:Cosmos</c>).</summary>
internal sealed class CosmosOptions
{
    public const string Section = "Traceway:Cosmos";

    [Required(ErrorMessage = "Traceway:Cosmos:AccountEndpoint is required: the Cosmos DB account URL, e.g. https://127.0.0.1:8081/.")]
    public Uri? AccountEndpoint { get; set; }

    /// <summary>Account key (the emulator's locally). Empty in Azure: the app signs in with its managed identity.</summary>
    public string? Key { get; set; }

    [Required(ErrorMessage = "Traceway:Cosmos:DatabaseName must not be empty.")]
    public string DatabaseName { get; set; } = CosmosSchema.DefaultDatabaseName;

    /// <summary>How long the SDK keeps retrying throttled (429) requests before the item is reported as not stored.</summary>
    [Range(0, 120, ErrorMessage = "Traceway:Cosmos:MaxThrottleRetrySeconds must be between 0 and 120.")]
    public int MaxThrottleRetrySeconds { get; set; } = 10;

    public bool IsLoopback => AccountEndpoint is { IsLoopback: true };
}

/// <summary>Blob storage settings (section <c>Traceway:Blob</c>): large span payloads live here.</summary>
internal sealed class BlobOptions
{
    public const string Section = "Traceway:Blob";

    /// <summary>A connection string (Azurite locally, e.g. <c>UseDevelopmentStorage=true</c>).</summary>
    public string? ConnectionString { get; set; }

    /// <summary>The blob service URL, used with the managed identity when no connection string is set.</summary>
    public Uri? ServiceUri { get; set; }

    [Required(ErrorMessage = "Traceway:Blob:PayloadContainer must not be empty.")]
    [RegularExpression("^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$",
        ErrorMessage = "Traceway:Blob:PayloadContainer must be a valid blob container name (3-63 lowercase letters, digits and single hyphens).")]
    public string PayloadContainer { get; set; } = "payloads";

    public bool HasExactlyOneAccount => string.IsNullOrWhiteSpace(ConnectionString) != (ServiceUri is null);
}

/// <summary>Top-level switches of the storage layer (section <c>Traceway</c>).</summary>
internal sealed class ProvisioningOptions
{
    /// <summary>
    /// Creates the database, containers and blob container when missing. On for the local emulators;
    /// off in Azure, where Bicep creates them and the app's identity may not manage resources.
    /// </summary>
    public bool ProvisionStorage { get; set; }
}
