"use strict";
/*
 * Modules of the installed @vercel/cosmosdb-server package (and of its query engine), loaded exactly
 * as the package's own lib/ files load them, so instanceof checks and shared state see the same
 * module instances the server uses.
 */
const { createRequire } = require("module");

const serverRequire = createRequire(require.resolve("@vercel/cosmosdb-server/lib/index.js"));

module.exports = {
    /** @zeit/cosmosdb-query (SyntaxError: the engine's parse errors) */
    cosmosdbQuery: serverRequire("@zeit/cosmosdb-query"),
    /** lib/utils/get-value: getValue(pathSegments, document) */
    getValue: serverRequire("./utils/get-value").default,
    /** lib/json: reads a request body as JSON */
    readJson: serverRequire("./json").default,
    /** lib/utils/get-partition-from-header: parsePartitionKey(headerValue, id) */
    parsePartitionKey: serverRequire("./utils/get-partition-from-header").parsePartitionKey
};
