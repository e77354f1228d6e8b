namespace Traceway.Testing;

public static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    public static string Emulators => Path.Combine(Root, "emulators");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Traceway.Functions.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Traceway.Functions.sln not found above " + AppContext.BaseDirectory);
    }
}
