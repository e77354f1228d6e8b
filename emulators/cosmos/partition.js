"use strict";
/*
 * Partition-key scoping: reads, queries and feeds sent with x-ms-documentdb-partitionkey see only
 * that partition's documents; a point read of a missing id or under the wrong partition key is a
 * 404 (the unpatched server answers 500).
 */
const { getValue, parsePartitionKey } = require("./internals");
const { header, notFound } = require("./http");

function partitionKeyPaths(collectionData) {
    const paths = ((collectionData || {}).partitionKey || {}).paths || [];
    return paths
        .filter(p => p !== "/_partitionKey")
        .map(p => p.slice(1).split("/"));
}

/**
 * Returns a predicate selecting the documents of the partition named by the
 * x-ms-documentdb-partitionkey header (a JSON array), or null when the request
 * is not scoped to a partition.
 */
function partitionFilter(req, collectionData) {
    const raw = header(req, "x-ms-documentdb-partitionkey");
    if (!raw)
        return null;
    let values;
    try {
        values = JSON.parse(raw);
    }
    catch {
        return null;
    }
    if (!Array.isArray(values))
        values = [values];
    const paths = partitionKeyPaths(collectionData);
    if (!paths.length)
        return null;
    return doc => {
        for (let i = 0; i < paths.length; i += 1) {
            const expected = values[i];
            const actual = getValue(paths[i], doc);
            if (expected !== null && typeof expected === "object") {
                // {} = PartitionKey.None: document has no value at the path
                if (typeof actual !== "undefined")
                    return false;
            }
            else if (actual !== expected) {
                return false;
            }
        }
        return true;
    };
}

/**
 * The value the partition index is keyed by, when the request names one partition of a container with one
 * partition key path by a plain value; undefined otherwise (PartitionKey.None, hierarchical keys: scan).
 */
function singlePartitionKey(req, collectionData) {
    const raw = header(req, "x-ms-documentdb-partitionkey");
    const paths = partitionKeyPaths(collectionData);
    if (!raw || paths.length !== 1)
        return undefined;
    let values;
    try {
        values = JSON.parse(raw);
    }
    catch {
        return undefined;
    }
    if (!Array.isArray(values))
        values = [values];
    const value = values[0];
    return values.length === 1 && value !== null && typeof value !== "object" ? value : undefined;
}

/** true when doc belongs to the partition named by the header (or no header) */
function matchesPartition(req, collectionData, doc) {
    const f = partitionFilter(req, collectionData);
    return !f || f(doc);
}

/** The collection's partition key paths without the leading "/" and without the legacy _partitionKey. */
function collectionPartitionKeys(collectionData) {
    if (!collectionData.partitionKey)
        return [];
    return collectionData.partitionKey.paths
        .map(path => path.slice(1))
        .filter(path => path !== "_partitionKey");
}

/**
 * GET /dbs/:db/colls/:coll/docs/:id, before the server reads the document: the error body to answer
 * (400 without a partition key on a partitioned container, 404 for a missing id or a document of
 * another partition), or null to let the server read it. partitionKey is the raw header value.
 */
function rejectRead(req, res, collection, partitionKey, docId) {
    if (!partitionKey) {
        if (collectionPartitionKeys(collection.read()).length) {
            res.statusCode = 400;
            return {
                code: "BadRequest",
                message: "The partition key supplied in x-ms-partitionkey header has fewer components than defined in the collection"
            };
        }
    }
    const data = partitionKey
        ? collection.document(docId, parsePartitionKey(partitionKey, docId)).read()
        : collection.document(docId, docId).read();
    if (!data || !matchesPartition(req, collection.read(), data)) {
        return notFound(res);
    }
    return null;
}

module.exports = { partitionFilter, singlePartitionKey, matchesPartition, rejectRead };
