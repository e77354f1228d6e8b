namespace Traceway.Models;

internal static class ModelRegistration
{
    /// <summary>The model catalog: ingestion estimates costs with it, sessions show context windows.</summary>
    public static IServiceCollection AddModels(this IServiceCollection services)
    {
        services.AddOptions<ModelCatalogOptions>().BindConfiguration(ModelCatalogOptions.Section);
        services.AddSingleton<ModelCatalog>();
        return services;
    }
}
