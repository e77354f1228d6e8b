namespace Traceway.Rollups;

internal static class RollupRegistration
{
    public static IServiceCollection AddRollups(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<RollupOptions>().BindConfiguration(RollupOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<RollupStore>();
        services.AddSingleton<RollupHandler>();
        if (configuration.GetValue(RollupOptions.EnabledSetting, defaultValue: true))
        {
            services.AddHostedService<ChangeFeedRollups>();
        }

        return services;
    }
}
