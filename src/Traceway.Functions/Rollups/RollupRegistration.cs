namespace Traceway.Rollups;

internal static class RollupRegistration
{
    /// <summary>Recomputing summaries: used by the rebuild endpoint and by the change feed processor.</summary>
    public static IServiceCollection AddRollups(this IServiceCollection services)
    {
        services.AddOptions<RollupOptions>().BindConfiguration(RollupOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<RollupCounters>();
        services.AddSingleton<RollupStore>();
        services.AddSingleton<RollupHandler>();
        return services;
    }

    /// <summary>The change feed processor that keeps summaries current, hosted in the app.</summary>
    public static IServiceCollection AddChangeFeedRollups(this IServiceCollection services) => services.AddHostedService<ChangeFeedRollups>();
}
