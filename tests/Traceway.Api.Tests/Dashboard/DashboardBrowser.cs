using System.Diagnostics;
using Microsoft.Playwright;

namespace Traceway.Tests.Dashboard;

/// <summary>
/// Headless Chromium for the dashboard tests: Debian's <c>chromium</c> package (installed by
/// scripts/install-chromium.sh when missing), driven by Playwright through its executable path, so Playwright's
/// own browser download is never used. <c>TRACEWAY_CHROMIUM</c> points at another Chromium.
/// </summary>
public sealed class DashboardBrowser : IAsyncDisposable
{
    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = null!;

    /// <summary>Where the tests write their screenshots and measurements (artifacts/dashboard/).</summary>
    public static string Artifacts { get; } = Directory.CreateDirectory(Path.Combine(RepositoryPaths.Root, "artifacts", "dashboard")).FullName;

    public async Task InitializeAsync()
    {
        var executable = await FindChromiumAsync();
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = executable,
            Headless = true,
            // Root in a container has no user namespace for Chromium's sandbox; the pages are the app's own.
            Args = ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"],
        });
    }

    /// <summary>A fresh browser context (its own sessionStorage), 1280 wide, that fails a test on any page error.</summary>
    public async Task<IPage> NewPageAsync(Uri baseAddress)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = baseAddress.ToString(),
            ViewportSize = new ViewportSize { Width = 1280, Height = 900 },
        });
        context.SetDefaultTimeout(15_000);
        var page = await context.NewPageAsync();
        return page;
    }

    public async ValueTask DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        _playwright?.Dispose();
    }

    private static async Task<string> FindChromiumAsync()
    {
        if (Environment.GetEnvironmentVariable("TRACEWAY_CHROMIUM") is { Length: > 0 } configured)
        {
            return configured;
        }

        string[] candidates = ["/usr/bin/chromium", "/usr/bin/chromium-browser"];
        if (candidates.FirstOrDefault(File.Exists) is { } found)
        {
            return found;
        }

        // ./test.sh installs it first; a bare `dotnet test` on a fresh machine installs it here.
        var install = Process.Start(new ProcessStartInfo("bash", [Path.Combine(RepositoryPaths.Root, "scripts", "install-chromium.sh")]) { UseShellExecute = false })!;
        await install.WaitForExitAsync();
        return candidates.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("Chromium is not installed and scripts/install-chromium.sh could not install it (apt-get install chromium).");
    }
}
