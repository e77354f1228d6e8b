"use strict";
/*
 * GET /dbs/:db/colls/:coll/docs: with A-IM (Incremental feed), an LSN based change feed (latest
 * version of each document, in write order) with If-None-Match / If-Modified-Since / paging /
 * partition-key scoping; without it, the read feed (SELECT * FROM c, paged like a query).
 */
const { header, notFound } = require("./http");
const { runQuery, page, liveDocuments, parseMaxItemCount } = require("./query");
const { partitionFilter } = require("./partition");

function parseLsn(etag) {
    const m = /(\d+)/.exec(etag || "");
    return m ? parseInt(m[1], 10) : 0;
}

function changeFeed(req, res, collection) {
    // tells the server's request handler not to apply its own (whole feed once) A-IM handling
    res.__twFeed = true;
    const documents = collection.documents;
    const current = documents._lsn || 0;
    const inm = header(req, "if-none-match");
    const ims = header(req, "if-modified-since");
    let after = 0;
    let since = null;
    if (inm === "*") {
        after = current;
    }
    else if (inm) {
        after = parseLsn(inm);
    }
    else if (ims) {
        const t = Date.parse(ims);
        if (!Number.isNaN(t))
            since = t;
    }
    // x-ms-start-epk / x-ms-end-epk / x-ms-documentdb-partitionkeyrangeid:
    // there is a single physical range ("" - "FF"), so they select everything.
    // The log holds current versions in LSN order: a poll reads from `after` on and stops at the page size.
    const inPartition = partitionFilter(req, collection.read());
    const max = parseMaxItemCount(req);
    const docs = [];
    for (const d of documents.feedAfter(after)) {
        if (inPartition && !inPartition(d))
            continue;
        if (since !== null && documents.writeTime(d) < since)
            continue;
        docs.push(d);
        if (max !== null && docs.length >= max)
            break;
    }
    res.setHeader("x-ms-item-count", String(docs.length));
    if (!docs.length) {
        res.statusCode = 304;
        res.setHeader("etag", `"${Math.max(after, current)}"`);
        return { _rid: collection.read()._rid, Documents: [], _count: 0 };
    }
    res.statusCode = 200;
    res.setHeader("etag", `"${docs[docs.length - 1]._lsn}"`);
    return { _rid: collection.read()._rid, Documents: docs, _count: docs.length };
}

/** GET /dbs/:db/colls/:coll/docs: change feed (A-IM) or read feed */
async function readDocuments(account, req, res, { dbId, collId }) {
    const collection = account.database(dbId).collection(collId);
    if (!collection.read())
        return notFound(res);
    if (header(req, "a-im")) {
        return changeFeed(req, res, collection);
    }
    const rows = runQuery(collection, liveDocuments(req, collection), "SELECT * FROM c", []);
    res.statusCode = 200;
    return page(req, res, collection, rows);
}

/** true when the response is this change feed's (the server must leave its status and etag alone) */
function isChangeFeed(res) {
    return res.__twFeed === true;
}

module.exports = { readDocuments, isChangeFeed };
