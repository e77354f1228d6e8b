using Microsoft.Azure.Functions.Worker.Builder;
using Traceway.Hosting;

// One set of handlers, two thin hostings (Hosting/Hostings.cs): the Azure Functions isolated worker when the
// Functions host starts the app, otherwise the standalone ASP.NET Core app (local run, tests, benchmark).
if (Hostings.IsStartedByFunctionsHost(args))
{
    var worker = FunctionsApplication.CreateBuilder(args);
    worker.ConfigureFunctionsWebApplication();
    worker.Services.AddTraceway(worker.Configuration);
    await worker.Build().RunAsync();
}
else
{
    await Hostings.BuildStandalone(args).RunAsync();
}
