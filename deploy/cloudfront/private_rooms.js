// Live Stage at the CloudFront edge: a viewer-request function (runtime cloudfront-js-2.0)
// applying the rules of stream_server/serving/rules.py and room_directory/access.py, as the
// nginx recipe does in deploy/nginx/livestage.js. template.yaml carries this code inline
// (CloudFormation takes no file); a test keeps the two equal.
//
// The function's key value store holds what it must not carry in its code:
//   url-secret       the shared LIVESTAGE_URL_SECRET
//   private:<room>   present while <room> is private (the stream servers keep these in step
//                    with the room directory, like the .private markers nginx reads)
//
// /hls/<room>/<file>                          403 for a private room, else on to the bucket
// /hls/<room>/s/<expires>/<sig>/<file>        403 unless sig = base64url-nopad(HMAC-SHA256(
//                                             secret, "/hls/<room>/<expires>")) and expires is
//                                             not past; then on to the object hls/<room>/<file>
// either of them with t/<token>/ before the   the same, and the token (its shape checked, its
//   file (a listener token in the path)       HMAC left to the log reader) goes into ?lt=
// any other path, room id, token or file name 404
// no url-secret in the store                  503 for every path: the store was never filled,
//                                             so private rooms cannot be told apart (closed,
//                                             not open, until a stream server fills it)
// The access logs count listeners by the token in the path or in ?lt= (the query is not in
// the cache key, so every listener shares the cached object).
import cf from 'cloudfront';
import crypto from 'crypto';

var kvs = cf.kvs();
var ROOM = /^[a-z0-9][a-z0-9-]{1,39}$/;
var FILE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,80}(\.m3u8|\.ts|\.vtt|-transcript\.txt)$/;
var EXPIRES = /^[0-9]{1,12}$/;
var SIGNATURE = /^[A-Za-z0-9_-]{43}$/;
var TOKEN = /^[A-Za-z0-9_-]{1,47}\.[A-Za-z0-9_-]{16}$/;

function refuse(status) {
    return {statusCode: status, statusDescription: status === 403 ? 'Forbidden' : 'Not Found'};
}

// The runtime's crypto module has no timingSafeEqual: compare every character, always.
function sameText(a, b) {
    if (a.length !== b.length) {
        return false;
    }
    var diff = 0;
    for (var i = 0; i < a.length; i++) {
        diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
    }
    return diff === 0;
}

async function urlSecret() {
    try {
        return await kvs.get('url-secret');
    } catch (missing) {
        return '';
    }
}

function signatureValid(secret, room, expires, signature) {
    if (!EXPIRES.test(expires) || !SIGNATURE.test(signature)) {
        return false;
    }
    // Python signs the number, so "02000" is signed as "2000"
    var seconds = Number(expires);
    if (seconds < Date.now() / 1000) {
        return false;
    }
    var mac = crypto.createHmac('sha256', secret).update('/hls/' + room + '/' + String(seconds))
        .digest('base64url');
    return sameText(mac, signature);
}

// [room, file, [expires, signature] or null, token or null] of an /hls/ path, by shape only
function split(uri) {
    var parts = uri.split('/');
    if (parts.length < 4 || parts[0] !== '' || parts[1] !== 'hls') {
        return null;
    }
    var rest = parts.slice(3);
    var signed = null;
    if (rest.length >= 4 && rest[0] === 's') {
        signed = [rest[1], rest[2]];
        rest = rest.slice(3);
    }
    var token = null;
    if (rest.length === 3 && rest[0] === 't') {
        token = rest[1];
        rest = rest.slice(2);
    }
    return rest.length === 1 ? [parts[2], rest[0], signed, token] : null;
}

async function handler(event) {
    var request = event.request;
    var path = split(request.uri);
    if (path === null || !ROOM.test(path[0])) {
        return refuse(404);
    }
    var secret = await urlSecret();
    if (!secret) {
        return {statusCode: 503, statusDescription: 'Service Unavailable'};
    }
    var room = path[0];
    var name = path[1];
    var signed = path[2];
    var token = path[3];
    if (signed !== null) {
        if (!signatureValid(secret, room, signed[0], signed[1])) {
            return refuse(403);
        }
    } else if (await kvs.exists('private:' + room)) {
        return refuse(403);
    }
    if (!FILE.test(name) || name.indexOf('..') >= 0 || (token !== null && !TOKEN.test(token))) {
        return refuse(404);
    }
    request.uri = '/hls/' + room + '/' + name;
    if (token !== null) {
        request.querystring.lt = {value: token};
    }
    return request;
}
