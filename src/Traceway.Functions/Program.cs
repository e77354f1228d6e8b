using Traceway.Health;
using Traceway.Hosting;
using Traceway.Ingestion;
using Traceway.Projects;
using Traceway.Rollups;
using Traceway.Sessions;
using Traceway.Storage;
using Traceway.Traces;

var builder = WebApplication.CreateBuilder(args);
builder.ListenOnLoopback();
builder.Services.ConfigureHttpJsonOptions(o => TracewayJson.Apply(o.SerializerOptions));
builder.Services.AddProblemDetails();
builder.Services.AddExceptionHandler<StoreFaultHandler>();
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddTracewayStorage(builder.Configuration);
builder.Services.AddTracewayHealth();
builder.Services.AddProjects();
builder.Services.AddTraces();
builder.Services.AddIngestion();
builder.Services.AddRollups(builder.Configuration);
builder.Services.AddSessions();
builder.Services.AddTracewayOpenApi();

var app = builder.Build();
app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseAuthentication();
app.UseAuthorization();
app.MapHealth();
app.MapTracewayOpenApi();
app.MapProjects();
app.MapIngest();
app.MapTraces();
app.MapSessions();
app.MapRollups(app.Configuration);
app.Run();

/// <summary>The entry point, visible to the tests that boot the real app.</summary>
public partial class Program;
