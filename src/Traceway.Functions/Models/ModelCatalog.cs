using System.Text.Json;
using Microsoft.Extensions.Options;
using Traceway.Hosting;

namespace Traceway.Models;

/// <summary>A model's list prices (USD per million tokens) and context window (tokens).</summary>
internal sealed record ModelInfo
{
    public double? InputPerMillion { get; set; }

    public double? OutputPerMillion { get; set; }

    public long? ContextWindow { get; set; }
}

/// <summary>Configuration overrides, section <c>Traceway:Models</c>, keyed by model name.</summary>
internal sealed class ModelCatalogOptions
{
    public const string Section = "Traceway";

    public Dictionary<string, ModelInfo> Models { get; set; } = new(StringComparer.OrdinalIgnoreCase);
}

/// <summary>
/// Prices and context windows of common models (the dated, embedded model-catalog.json, overridable by
/// configuration). Versioned names match their family by the longest known prefix
/// (<c>gpt-4o-2024-08-06</c> is priced as <c>gpt-4o</c>).
/// </summary>
internal sealed class ModelCatalog
{
    private readonly Dictionary<string, ModelInfo> _models;

    // Versioned names resolve by a scan of the catalog; the catalog never changes, so each name is resolved once.
    // Model names come from callers, so the cache is bounded.
    private const int MaxResolvedNames = 10_000;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, ModelInfo?> _resolved = new(StringComparer.OrdinalIgnoreCase);

    public ModelCatalog(IOptions<ModelCatalogOptions> overrides)
    {
        _models = new Dictionary<string, ModelInfo>(LoadEmbedded().Models, StringComparer.OrdinalIgnoreCase);
        foreach (var (name, info) in overrides.Value.Models)
        {
            var current = _models.GetValueOrDefault(name) ?? new ModelInfo();
            _models[name] = new ModelInfo
            {
                InputPerMillion = info.InputPerMillion ?? current.InputPerMillion,
                OutputPerMillion = info.OutputPerMillion ?? current.OutputPerMillion,
                ContextWindow = info.ContextWindow ?? current.ContextWindow,
            };
        }
    }

    public ModelInfo? Find(string? model)
    {
        if (string.IsNullOrWhiteSpace(model))
        {
            return null;
        }

        if (_models.TryGetValue(model, out var exact))
        {
            return exact;
        }

        return _resolved.TryGetValue(model, out var family) ? family
            : _resolved.Count < MaxResolvedNames ? _resolved.GetOrAdd(model, Family)
            : Family(model);
    }

    /// <summary>The longest family name that the model name starts with, at a separator.</summary>
    private ModelInfo? Family(string model) =>
        _models
            .Where(m => model.StartsWith(m.Key, StringComparison.OrdinalIgnoreCase) && model.Length > m.Key.Length && model[m.Key.Length] is '-' or '@' or ':' or '.')
            .OrderByDescending(m => m.Key.Length)
            .Select(m => m.Value)
            .FirstOrDefault();

    /// <summary>The cost of the tokens at list price; null when the model or its price is unknown or no tokens were counted.</summary>
    public double? EstimateCost(string? model, long? inputTokens, long? outputTokens)
    {
        if ((inputTokens ?? outputTokens) is null || Find(model) is not { InputPerMillion: { } input, OutputPerMillion: { } output })
        {
            return null;
        }

        return Math.Round((((inputTokens ?? 0) * input) + ((outputTokens ?? 0) * output)) / 1_000_000d, 10);
    }

    private static CatalogFile LoadEmbedded()
    {
        using var stream = typeof(ModelCatalog).Assembly.GetManifestResourceStream("model-catalog.json")
            ?? throw new InvalidOperationException("The embedded model-catalog.json is missing from the build.");
        return JsonSerializer.Deserialize<CatalogFile>(stream, TracewayJson.Options) ?? throw new InvalidOperationException("model-catalog.json is empty.");
    }

    private sealed record CatalogFile(string AsOf, Dictionary<string, ModelInfo> Models);
}
