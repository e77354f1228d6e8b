namespace Traceway.Sessions;

internal static class SessionRegistration
{
    /// <summary>Session queries: lists, statistics, a session's traces and its replay.</summary>
    public static IServiceCollection AddSessions(this IServiceCollection services) => services.AddSingleton<SessionReader>();
}
