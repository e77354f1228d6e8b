namespace Traceway.Projects;

internal static class ProjectRegistration
{
    /// <summary>Projects, API keys and the key check that both hostings call.</summary>
    public static IServiceCollection AddProjects(this IServiceCollection services)
    {
        services.AddOptions<AuthOptions>().BindConfiguration(AuthOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddMemoryCache();
        services.AddSingleton<ProjectStore>();
        services.AddSingleton<ApiKeyAuthenticator>();
        return services;
    }
}
