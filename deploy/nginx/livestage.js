// Live Stage inside nginx (njs 0.7.9, Debian's libnginx-mod-http-js), with the rules of
// room_directory/access.py and stream_server/serving/rules.py. The secret comes from
// $livestage_url_secret, defined in a root-only include file.
//
// signed(r): "1" when /hls/<room>/s/<expires>/<sig>/<file> carries
//   sig = base64url-nopad(HMAC-SHA256(secret, "/hls/<room>/<expires>")) and expires >= now.
// master_headers / master_body: a master playlist fetched with a valid listener token
//   (?lt=<random>.<first 16 chars of base64url(HMAC-SHA256(secret, "lt:" + random))>) gets
//   "?lt=<token>" added to its variant URIs, so a player's media-playlist polls keep
//   carrying the token into the access log (the stream server counts listeners from it).
//   Only for the older ?lt= URLs: a token in the path (.../t/<token>/<file>, matched by the
//   locations) reaches the variants by itself, and the body passes through untouched.
var crypto = require('crypto');

function mac(r, message) {
    return crypto.createHmac('sha256', r.variables.livestage_url_secret).update(message)
        .digest('base64url');
}

function signed(r) {
    var expires = Number(r.variables.hls_expires);
    if (!r.variables.livestage_url_secret || !(expires >= Date.now() / 1000)) {
        return '0';
    }
    return mac(r, '/hls/' + r.variables.hls_room + '/' + String(expires)) === r.variables.hls_sig
        ? '1' : '0';
}

function listenerToken(r) {
    var token = r.args.lt;
    if (Array.isArray(token)) {
        token = token[0];
    }
    if (typeof token !== 'string' || token.length > 64 || !r.variables.livestage_url_secret) {
        return null;
    }
    var dot = token.indexOf('.');
    if (dot <= 0) {
        return null;
    }
    var tag = mac(r, 'lt:' + token.slice(0, dot)).slice(0, 16);
    return token.slice(dot + 1) === tag ? token : null;
}

function master_headers(r) {
    if (r.status === 200 && listenerToken(r) !== null) {
        delete r.headersOut['Content-Length'];
        delete r.headersOut['ETag'];
        delete r.headersOut['Last-Modified'];
        delete r.headersOut['Accept-Ranges'];
    }
}

var body = '';

function master_body(r, data, flags) {
    var token = r.status === 200 ? listenerToken(r) : null;
    if (token === null) {
        r.sendBuffer(data, flags);
        return;
    }
    body += data;
    if (!flags.last) {
        return;
    }
    if (body.indexOf('#EXT-X-STREAM-INF') >= 0) {
        body = body.split('\n').map(function (line) {
            var uri = line.trim();
            if (uri && uri[0] !== '#' && uri.indexOf('?') < 0) {
                return uri + '?lt=' + token;
            }
            return line;
        }).join('\n');
        if (body[body.length - 1] !== '\n') {
            body += '\n';
        }
    }
    r.sendBuffer(body, flags);
}

export default {signed, master_headers, master_body};
