using Traceway.Models;

namespace Traceway.Ingestion;

internal static class IngestionRegistration
{
    public static IServiceCollection AddIngestion(this IServiceCollection services)
    {
        services.AddOptions<IngestOptions>().BindConfiguration(IngestOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<ModelCatalogOptions>().BindConfiguration(ModelCatalogOptions.Section);
        services.AddSingleton<ModelCatalog>();
        services.AddSingleton<IngestWriter>();
        return services;
    }
}
