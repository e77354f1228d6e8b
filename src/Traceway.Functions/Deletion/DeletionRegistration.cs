namespace Traceway.Deletion;

internal static class DeletionRegistration
{
    /// <summary>Deleting sessions and traces with everything stored of them.</summary>
    public static IServiceCollection AddDeletion(this IServiceCollection services) => services.AddSingleton<TraceDeletion>();
}
