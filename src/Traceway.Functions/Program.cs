using Traceway.Health;
using Traceway.Hosting;
using Traceway.Storage;

var builder = WebApplication.CreateBuilder(args);
builder.ListenOnLoopback();
builder.Services.ConfigureHttpJsonOptions(o => TracewayJson.Apply(o.SerializerOptions));
builder.Services.AddProblemDetails();
builder.Services.AddTracewayStorage(builder.Configuration);
builder.Services.AddTracewayHealth();

var app = builder.Build();
app.MapHealth();
app.Run();

/// <summary>The entry point, visible to the tests that boot the real app.</summary>
public partial class Program;
