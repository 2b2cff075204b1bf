-- The listener mix for wrk: every listener fetches its playlist and then one segment
-- per target duration, so requests alternate playlist, segment, playlist, segment...
-- (segments taken in turn from the window). Arguments after "--": the room's path
-- prefix, the playlist name, then the segment names.
-- At the end one line is printed for bench/listeners.py:
--   LIVESTAGE requests duration_us connect read write status timeout p50_us p99_us

local prefix, playlist, segments = "", "", {}
local n = 0

function init(args)
  prefix = args[1]
  playlist = args[2]
  for i = 3, #args do
    segments[#segments + 1] = args[i]
  end
end

function request()
  n = n + 1
  if n % 2 == 1 then
    return wrk.format("GET", prefix .. playlist)
  end
  local index = (n / 2) % #segments + 1
  return wrk.format("GET", prefix .. segments[index])
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("LIVESTAGE %d %d %d %d %d %d %d %d %d\n", summary.requests, summary.duration,
    e.connect, e.read, e.write, e.status, e.timeout, latency:percentile(50), latency:percentile(99)))
end
