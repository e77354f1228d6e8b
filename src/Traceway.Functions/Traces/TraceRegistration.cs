namespace Traceway.Traces;

internal static class TraceRegistration
{
    /// <summary>Reading stored traces back.</summary>
    public static IServiceCollection AddTraces(this IServiceCollection services) => services.AddSingleton<TraceReader>();
}
