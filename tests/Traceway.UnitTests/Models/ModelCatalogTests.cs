using Microsoft.Extensions.Options;
using Traceway.Models;

namespace Traceway.Tests.Models;

public sealed class ModelCatalogTests
{
    private static ModelCatalog Catalog(Dictionary<string, ModelInfo>? overrides = null) =>
        new(Options.Create(new ModelCatalogOptions { Models = overrides ?? [] }));

    [Theory]
    [InlineData("gpt-4o", 2.50)]
    [InlineData("gpt-4o-2024-08-06", 2.50)]
    [InlineData("gpt-4o-mini-2024-07-18", 0.15)]
    [InlineData("claude-3-5-sonnet-20241022", 3.00)]
    [InlineData("GPT-4O", 2.50)]
    public void Versioned_model_names_are_priced_as_their_family(string model, double inputPerMillion) =>
        Assert.Equal(inputPerMillion, Catalog().Find(model)?.InputPerMillion);

    [Theory]
    [InlineData("gpt-4oops")]
    [InlineData("in-house-7b")]
    [InlineData("")]
    public void Unknown_models_have_no_price(string model) => Assert.Null(Catalog().Find(model));

    [Fact]
    public void Cost_is_tokens_times_the_per_million_prices()
    {
        Assert.Equal(0.0075, Catalog().EstimateCost("gpt-4o", 1000, 500)!.Value, 12);
        Assert.Null(Catalog().EstimateCost("gpt-4o", null, null));
        Assert.Null(Catalog().EstimateCost(null, 10, 10));
    }

    [Fact]
    public void Configuration_overrides_a_price_and_adds_models()
    {
        var catalog = Catalog(new() { ["gpt-4o"] = new ModelInfo { InputPerMillion = 1 }, ["in-house-7b"] = new ModelInfo { InputPerMillion = 0.1, OutputPerMillion = 0.2, ContextWindow = 8192 } });

        Assert.Equal((1.0, 10.0, 128000L), (catalog.Find("gpt-4o")!.InputPerMillion!.Value, catalog.Find("gpt-4o")!.OutputPerMillion!.Value, catalog.Find("gpt-4o")!.ContextWindow!.Value));
        Assert.Equal(0.0003, catalog.EstimateCost("in-house-7b", 1000, 1000)!.Value, 12);
    }
}
