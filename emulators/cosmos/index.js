"use strict";
/*
 * Traceway extensions for @vercel/cosmosdb-server 1.0.1, which make it usable by the .NET SDK
 * Microsoft.Azure.Cosmos 3.x in Gateway mode on Linux. The package loads this module through
 * node_modules/@vercel/cosmosdb-server/lib/traceway-ext.js, a one-line file added by
 * ../patches/@vercel+cosmosdb-server+1.0.1.patch; the rest of that patch only calls what is
 * exported here (see README.md for the list of hooks).
 *
 * This module is loaded while the package itself loads: require only this folder's files and
 * leaf modules of the package (internals.js), never the package's index.
 */
const http = require("./http");
const store = require("./store");
const partition = require("./partition");
const query = require("./query");
const changeFeed = require("./change-feed");

module.exports = {
    // lib/account/documents.js, lib/account/collections.js
    documentsMixin: store.documentsMixin,
    collectionsMixin: store.collectionsMixin,
    // lib/index.js (request handler)
    logRequest: http.logRequest,
    completeErrorBody: http.completeErrorBody,
    setSessionToken: http.setSessionToken,
    isChangeFeed: changeFeed.isChangeFeed,
    // lib/routes.js
    queryDocuments: query.queryDocuments,
    readDocuments: changeFeed.readDocuments,
    // lib/handler/read-document.js
    rejectRead: partition.rejectRead,
    // lib/handler/_document-operations.js, lib/handler/replace-document.js
    notFoundBody: http.notFoundBody
};
