// A development environment. The admin key is read from the environment at deployment time and is
// never written to a file: export TRACEWAY_ADMIN_KEY first (or use az.getSecret for a Key Vault).
using 'main.bicep'

param environmentName = 'dev'
param location = 'swedencentral'
param adminKey = readEnvironmentVariable('TRACEWAY_ADMIN_KEY')
param cosmosAutoscaleMaxThroughput = 0
param retentionDays = 30
param instanceMemoryMB = 2048
param maximumInstanceCount = 40
