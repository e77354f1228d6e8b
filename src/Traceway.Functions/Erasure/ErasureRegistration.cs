namespace Traceway.Erasure;

internal static class ErasureRegistration
{
    /// <summary>Erasure jobs, and the worker that runs them when <c>Traceway:Erasure:Enabled</c> (default on).</summary>
    public static IServiceCollection AddErasure(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ErasureOptions>().BindConfiguration(ErasureOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<ErasureJobs>();
        services.AddSingleton<ErasureWorker>();
        if (configuration.GetValue($"{ErasureOptions.Section}:Enabled", defaultValue: true))
        {
            services.AddHostedService(s => s.GetRequiredService<ErasureWorker>());
        }

        return services;
    }
}
