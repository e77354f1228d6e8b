using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Azure.Cosmos;
using Traceway.Hosting;

namespace Traceway.Storage;

/// <summary>
/// The containers of DESIGN.md §3, read from <c>infra/cosmos-containers.json</c> (embedded), the same
/// file the Bicep templates load, so local and Azure containers cannot drift apart.
/// </summary>
internal sealed record CosmosSchema(string DatabaseName, IReadOnlyList<ContainerDefinition> Containers)
{
    public const string DefaultDatabaseName = "traceway";
    public const string Traces = "traces";
    public const string Summaries = "summaries";
    public const string Projects = "projects";
    public const string TraceIndex = "traceIndex";
    public const string Leases = "leases";

    private static readonly Lazy<CosmosSchema> Embedded = new(Load);

    public static CosmosSchema Current => Embedded.Value;

    private static CosmosSchema Load()
    {
        using var stream = typeof(CosmosSchema).Assembly.GetManifestResourceStream("cosmos-containers.json")
            ?? throw new InvalidOperationException("The embedded cosmos-containers.json is missing from the build.");
        return JsonSerializer.Deserialize<CosmosSchema>(stream, TracewayJson.Options)
            ?? throw new InvalidOperationException("cosmos-containers.json is empty.");
    }
}

internal sealed record ContainerDefinition(
    string Name,
    string PartitionKeyPath,
    [property: JsonPropertyName("indexingPolicy")] JsonElement IndexingPolicyJson,
    int? DefaultTimeToLive = null)
{
    public ContainerProperties ToContainerProperties() => new(Name, PartitionKeyPath)
    {
        // The SDK's IndexingPolicy is shaped by the REST API's JSON, which is what the file holds.
        IndexingPolicy = Newtonsoft.Json.JsonConvert.DeserializeObject<IndexingPolicy>(IndexingPolicyJson.GetRawText()),
        DefaultTimeToLive = DefaultTimeToLive,
    };
}
