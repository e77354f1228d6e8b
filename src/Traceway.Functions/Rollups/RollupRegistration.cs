using Traceway.Hosting;

namespace Traceway.Rollups;

internal static class RollupRegistration
{
    public static IServiceCollection AddRollups(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<RollupOptions>().BindConfiguration(RollupOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<RollupStore>();
        services.AddSingleton<RollupHandler>();
        if (configuration.GetValue<bool?>(RollupOptions.EnabledSetting) ?? !FunctionsHost.IsActive(configuration))
        {
            services.AddHostedService<ChangeFeedRollups>();
        }

        return services;
    }

    public static IEndpointRouteBuilder MapRollups(this IEndpointRouteBuilder app, IConfiguration configuration)
    {
        app.MapRebuildSummaries();
        if (FunctionsHost.IsActive(configuration))
        {
            app.MapRollupFunction();
        }

        return app;
    }
}
