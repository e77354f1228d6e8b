namespace Traceway.Ingestion;

internal static class IngestionRegistration
{
    /// <summary>The ingest pipeline and its writer; the endpoint parses JSON requests into its batches.</summary>
    public static IServiceCollection AddIngestion(this IServiceCollection services)
    {
        services.AddOptions<IngestOptions>().BindConfiguration(IngestOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IngestWriter>();
        services.AddSingleton<SessionAdoption>();
        services.AddSingleton<IngestPipeline>();
        services.AddSingleton<IngestLimits>();
        return services;
    }
}
