// Live Stage: signed private-room paths checked inside nginx (njs 0.7.9, Debian's
// libnginx-mod-http-js), with the same rule as room_directory/access.py:
//   /hls/<room>/s/<expires>/<sig>/<file>
//   sig = base64url-nopad(HMAC-SHA256(secret, "/hls/<room>/<expires>")), valid while expires >= now.
// The secret comes from $livestage_url_secret, defined in a root-only include file.
var crypto = require('crypto');

function signed(r) {
    var secret = r.variables.livestage_url_secret;
    var expires = Number(r.variables.hls_expires);
    if (!secret || !(expires >= Date.now() / 1000)) {
        return '0';
    }
    var mac = crypto.createHmac('sha256', secret)
        .update('/hls/' + r.variables.hls_room + '/' + String(expires))
        .digest('base64url');
    return mac === r.variables.hls_sig ? '1' : '0';
}

export default {signed};
