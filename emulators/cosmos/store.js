"use strict";
/*
 * Additions to the server's in-memory stores, as mixins the package's classes extend:
 *  - Documents: every write gets a per-container sequence number (_lsn, used by the change feed)
 *    and a precise write time (TTL, If-Modified-Since); TTL (container defaultTtl / document ttl)
 *    is enforced lazily, on every read.
 *  - An index by partition key (partition key value -> the partition's documents), so a query or feed
 *    scoped to one partition touches only that partition's documents, as in Azure, and never scans the
 *    container; and the change feed's log (latest versions in LSN order), so a poll costs what it returns.
 *  - Collections: replacing a container (e.g. to change defaultTtl) keeps its documents, partition
 *    key ranges and UDFs.
 */
const { getValue } = require("./internals");

/** Process-wide: the number of document writes and deletes (session tokens). */
const state = { globalLsn: 0 };

/** class Documents extends documentsMixin(Items) */
function documentsMixin(Items) {
    return class extends Items {
        _set(data) {
            this._lsn = (this._lsn || 0) + 1;
            state.globalLsn += 1;
            data._lsn = this._lsn;
            Object.defineProperty(data, "_twWriteMs", { value: Date.now(), enumerable: false });
            const result = super._set(data);
            const key = this._getPartition(data);
            let partition = this._partitions().get(key);
            if (!partition) {
                partition = new Map();
                this._partitions().set(key, partition);
            }
            partition.set(data._rid, data);
            this._log().push(data);
            return result;
        }
        delete(idOrRid, partition) {
            const data = this._item("/id", idOrRid, partition).read();
            super.delete(idOrRid, partition);
            if (data)
                this._unindex(data);
            this._lsn = (this._lsn || 0) + 1;
            state.globalLsn += 1;
        }
        _partitions() {
            if (!this._byPartition)
                this._byPartition = new Map();
            return this._byPartition;
        }
        _log() {
            if (!this._feedLog) {
                this._feedLog = [];
                this._feedStale = 0;
            }
            return this._feedLog;
        }
        _unindex(data) {
            const key = this._getPartition(data);
            const partition = this._partitions().get(key);
            if (partition && partition.get(data._rid) === data) {
                partition.delete(data._rid);
                if (!partition.size)
                    this._partitions().delete(key);
            }
            this._log();
            this._feedStale += 1;
        }
        /** true when data is the current version of a stored document */
        isCurrent(data) {
            const item = this._data.get(data._rid);
            return !!item && item.read() === data;
        }
        /**
         * The log's entries from the first with an LSN above `after`, current versions only (superseded and
         * deleted ones are skipped, and dropped once they are half the log).
         */
        *feedAfter(after) {
            const log = this._log();
            if (this._feedStale > 1000 && this._feedStale * 2 > log.length) {
                this._feedLog = log.filter(d => this.isCurrent(d));
                this._feedStale = 0;
            }
            const entries = this._feedLog;
            let lo = 0;
            let hi = entries.length;
            while (lo < hi) {
                const mid = (lo + hi) >>> 1;
                if (entries[mid]._lsn > after)
                    hi = mid;
                else
                    lo = mid + 1;
            }
            for (let i = lo; i < entries.length; i += 1) {
                const data = entries[i];
                if (!this.isCurrent(data))
                    continue;
                if (this._isExpired(data)) {
                    this._purge(data);
                    continue;
                }
                yield data;
            }
        }
        /** The unexpired documents of one partition (its key value), from the index: no scan of the container. */
        partitionDocuments(key) {
            const partition = this._partitions().get(key);
            if (!partition)
                return [];
            const now = Date.now();
            const out = [];
            for (const data of [...partition.values()]) {
                if (this._isExpired(data, now))
                    this._purge(data);
                else
                    out.push(data);
            }
            return out;
        }
        writeTime(data) {
            return data._twWriteMs || data._ts * 1000;
        }
        _ttlOf(data) {
            const coll = this._parent.read();
            if (!coll || typeof coll.defaultTtl !== "number")
                return null;
            const ttl = typeof data.ttl === "number" ? data.ttl : coll.defaultTtl;
            return ttl > 0 ? ttl : ttl === 0 ? 0 : null;
        }
        _isExpired(data, now = Date.now()) {
            const ttl = this._ttlOf(data);
            return ttl !== null && now >= this.writeTime(data) + ttl * 1000;
        }
        _purge(data) {
            this._uniqueKeyPaths.forEach(keyPath => {
                const keyPathValue = getValue(keyPath.slice(1).split("/"), data);
                this._index.delete(this._getId(keyPath, keyPathValue, this._getPartition(data)));
            });
            this._data.delete(data._rid);
            this._unindex(data);
        }
        _item(keyPath, keyPathValue, partition) {
            const item = super._item(keyPath, keyPathValue, partition);
            const data = item.read();
            if (data && this._isExpired(data)) {
                this._purge(data);
                return this._newItem();
            }
            return item;
        }
        liveDocuments() {
            const now = Date.now();
            const out = [];
            for (const item of [...this._data.values()]) {
                const data = item.read();
                if (!data)
                    continue;
                if (this._isExpired(data, now))
                    this._purge(data);
                else
                    out.push(data);
            }
            return out;
        }
        query(params, options) {
            this.liveDocuments();
            return super.query(params, options);
        }
        read(options) {
            this.liveDocuments();
            return super.read(options);
        }
    };
}

/** class Collections extends collectionsMixin(Items) */
function collectionsMixin(Items) {
    return class extends Items {
        replace(data, original) {
            const prev = original && this._data.get(original._rid);
            const result = super.replace(data, original);
            const cur = this._data.get(result._rid);
            if (prev && cur && prev !== cur) {
                ["documents", "partitionKeyRanges", "userDefinedFunctions"].forEach(k => {
                    cur[k] = prev[k];
                    cur[k]._parent = cur;
                });
            }
            return result;
        }
    };
}

module.exports = { state, documentsMixin, collectionsMixin };
