using Microsoft.AspNetCore.Authentication;

namespace Traceway.Projects;

internal static class ProjectRegistration
{
    /// <summary>Projects, API keys and the key-based authentication with one policy per scope.</summary>
    public static IServiceCollection AddProjects(this IServiceCollection services)
    {
        services.AddOptions<AuthOptions>().BindConfiguration(AuthOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddMemoryCache();
        services.AddSingleton<ProjectStore>();
        services.AddAuthentication(ApiKeyAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
        services.AddAuthorizationBuilder()
            .AddPolicy(Scopes.Admin, p => p.RequireClaim(ApiKeyAuthenticationHandler.ScopeClaim, Scopes.Admin))
            .AddPolicy(Scopes.Ingest, p => p.RequireClaim(ApiKeyAuthenticationHandler.ScopeClaim, Scopes.Ingest))
            .AddPolicy(Scopes.Read, p => p.RequireClaim(ApiKeyAuthenticationHandler.ScopeClaim, Scopes.Read));
        return services;
    }
}
