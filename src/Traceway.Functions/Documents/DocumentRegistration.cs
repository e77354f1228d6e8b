namespace Traceway.Documents;

internal static class DocumentRegistration
{
    /// <summary>What both the write path and the read path use: the trace index and the payload store.</summary>
    public static IServiceCollection AddDocuments(this IServiceCollection services)
    {
        services.AddOptions<PayloadOptions>().BindConfiguration(PayloadOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<RetentionOptions>().BindConfiguration(RetentionOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<Retention>();
        services.AddSingleton<TraceLocator>();
        services.AddSingleton<PayloadStore>();
        return services;
    }
}
