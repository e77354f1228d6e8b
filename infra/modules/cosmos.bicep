// Cosmos DB: the account, the database and every container of infra/cosmos-containers.json, the
// same file the app embeds to create them against the local emulator, so the two cannot drift.
param name string
param location string
param tags object

@description('0 = serverless (pay per request). Otherwise the autoscale maximum RU/s shared by the database\'s containers (1000 or more).')
param autoscaleMaxThroughput int

@description('0 = keep data forever unless a project sets its own retention. Otherwise trace data (traces, summaries, trace index) of projects without one expires this many days after its last write.')
param retentionDays int

var schema = loadJsonContent('../cosmos-containers.json')
var serverless = autoscaleMaxThroughput == 0

// The file says which containers hold trace data that expires (defaultTimeToLive -1: on, no default, so only items
// carrying a ttl expire, which is how a project's retention works); projects, keys and change-feed leases have none.

resource account 'Microsoft.DocumentDB/databaseAccounts@2026-03-15' = {
  name: name
  location: location
  tags: tags
  kind: 'GlobalDocumentDB'
  properties: {
    databaseAccountOfferType: 'Standard'
    // Entra ID only: the app and the host's cosmosDBTrigger sign in with the managed identity.
    disableLocalAuth: true
    disableKeyBasedMetadataWriteAccess: true
    minimalTlsVersion: 'Tls12'
    publicNetworkAccess: 'Enabled'
    consistencyPolicy: { defaultConsistencyLevel: 'Session' }
    locations: [
      {
        locationName: location
        failoverPriority: 0
        isZoneRedundant: false
      }
    ]
    capabilities: serverless ? [{ name: 'EnableServerless' }] : []
  }
}

resource database 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases@2026-03-15' = {
  parent: account
  name: schema.databaseName
  properties: {
    resource: { id: schema.databaseName }
    options: serverless ? {} : { autoscaleSettings: { maxThroughput: autoscaleMaxThroughput } }
  }
}

resource containers 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers@2026-03-15' = [
  for container in schema.containers: {
    parent: database
    name: container.name
    properties: {
      resource: {
        id: container.name
        partitionKey: {
          paths: [container.partitionKeyPath]
          kind: 'Hash'
          version: 2
        }
        indexingPolicy: container.indexingPolicy
        defaultTtl: container.defaultTimeToLive == null ? null : (retentionDays > 0 ? retentionDays * 86400 : container.defaultTimeToLive)
      }
    }
  }
]

output name string = account.name
output endpoint string = account.properties.documentEndpoint
output databaseName string = database.name
output containerNames string[] = [for (container, i) in schema.containers: containers[i].name]
