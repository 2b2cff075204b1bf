// A stand-in for the CloudFront Functions runtime (cloudfront-js-2.0), enough to run a
// viewer-request function under node: its two modules as the runtime documents them, a
// fixed clock, and ES module imports limited to those modules.
//
//   node cloudfront_runtime.js FUNCTION.js < {"kvs": {...}, "requests": [{"uri", "querystring", "now"}]}
//   → [{"statusCode": 403} | {"uri": "/hls/…", "querystring": {...}}, ...]
'use strict';
const fs = require('fs');
const nodeCrypto = require('crypto');

// crypto in runtime 2.0: createHash/createHmac with md5, sha1 or sha256; digest(encoding) with
// hex, base64 or base64url gives a string, digest() a Buffer. Anything else is refused here so
// that a function relying on node's wider module fails its tests.
const ALGORITHMS = ['md5', 'sha1', 'sha256'];
const ENCODINGS = ['hex', 'base64', 'base64url'];

function wrap(hash) {
    return {
        update(data) { hash.update(data); return this; },
        digest(encoding) {
            if (encoding === undefined) { return hash.digest(); }
            if (!ENCODINGS.includes(encoding)) { throw new Error('digest encoding not in the runtime: ' + encoding); }
            return hash.digest(encoding);
        },
    };
}

function checked(algorithm) {
    if (!ALGORITHMS.includes(algorithm)) { throw new Error('algorithm not in the runtime: ' + algorithm); }
    return algorithm;
}

const cryptoModule = {
    createHash: (algorithm) => wrap(nodeCrypto.createHash(checked(algorithm))),
    createHmac: (algorithm, key) => wrap(nodeCrypto.createHmac(checked(algorithm), key)),
};

// cloudfront.kvs(): get(key, {format}) rejects for a missing key; exists(key) resolves a boolean.
function cloudfrontModule(store) {
    return {
        kvs() {
            return {
                async get(key, options) {
                    if (!Object.prototype.hasOwnProperty.call(store, key)) { throw new Error('KeyNotFound: ' + key); }
                    const format = (options && options.format) || 'string';
                    if (format === 'json') { return JSON.parse(store[key]); }
                    if (format === 'bytes') { return Buffer.from(store[key]); }
                    return store[key];
                },
                async exists(key) { return Object.prototype.hasOwnProperty.call(store, key); },
            };
        },
    };
}

const IMPORT = /^import (\w+) from '([\w-]+)';$/;

function load(source, modules, clock) {
    const names = [];
    const values = [];
    const body = source.split('\n').map((line) => {
        const match = IMPORT.exec(line.trim());
        if (!match) { return line; }
        if (!(match[2] in modules)) { throw new Error('the runtime has no module ' + match[2]); }
        names.push(match[1]);
        values.push(modules[match[2]]);
        return '';
    });
    class FixedDate extends Date {
        constructor(...args) { super(...(args.length ? args : [clock.now])); }
        static now() { return clock.now; }
    }
    // eslint-disable-next-line no-new-func
    const factory = new Function(...names, 'Date', "'use strict';\n" + body.join('\n') + '\nreturn handler;');
    return factory(...values, FixedDate);
}

async function main() {
    const source = fs.readFileSync(process.argv[2], 'utf8');
    const input = JSON.parse(fs.readFileSync(0, 'utf8'));
    const clock = {now: 0};
    const handler = load(source, {cloudfront: cloudfrontModule(input.kvs), crypto: cryptoModule}, clock);
    const results = [];
    for (const request of input.requests) {
        clock.now = request.now * 1000;
        const event = {
            version: '1.0',
            context: {eventType: 'viewer-request'},
            viewer: {ip: '192.0.2.1'},
            request: {method: 'GET', uri: request.uri, querystring: request.querystring || {}, headers: {}, cookies: {}},
        };
        const out = await handler(event);
        results.push('statusCode' in out
            ? {statusCode: out.statusCode}
            : {uri: out.uri, querystring: out.querystring});
    }
    process.stdout.write(JSON.stringify(results));
}

main().catch((error) => { process.stderr.write(String(error && error.stack || error)); process.exit(1); });
