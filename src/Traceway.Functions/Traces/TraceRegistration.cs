namespace Traceway.Traces;

internal static class TraceRegistration
{
    /// <summary>Where traces live, their large payloads, and reading them back.</summary>
    public static IServiceCollection AddTraces(this IServiceCollection services) =>
        services.AddSingleton<TraceLocator>().AddSingleton<PayloadStore>().AddSingleton<TraceReader>();
}
