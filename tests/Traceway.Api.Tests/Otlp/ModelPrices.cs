using System.Text.Json.Nodes;

namespace Traceway.Tests.Otlp;

/// <summary>
/// List prices read from the project's model catalog file, so an expected cost is computed from the catalog and a
/// test's own token counts, never taken from the app's answer.
/// </summary>
public static class ModelPrices
{
    private static readonly Lazy<JsonNode> Catalog = new(() =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(RepositoryPaths.Root, "src", "Traceway.Functions", "Models", "model-catalog.json")))!);

    /// <summary>The cost in USD of <paramref name="inputTokens"/> and <paramref name="outputTokens"/> of catalog model <paramref name="model"/>.</summary>
    public static double Cost(string model, long inputTokens, long outputTokens)
    {
        var prices = Catalog.Value["models"]![model] ?? throw new ArgumentException($"{model} is not in the model catalog.", nameof(model));
        return ((inputTokens * (double)prices["inputPerMillion"]!) + (outputTokens * (double)prices["outputPerMillion"]!)) / 1_000_000d;
    }
}
