-- Listeners at a player's pace: the mix of listeners.lua, but each connection is one listener
-- that fetches its playlist and a segment once per target duration (2 s), one request a
-- second, starting at a random moment of its first second.

local here = debug.getinfo(1, "S").source:sub(2):match("(.*/)") or "./"
dofile(here .. "listeners.lua")

local started = false

function delay()
  if not started then
    started = true
    math.randomseed(os.time() + math.floor(os.clock() * 1000000))
    return math.random(0, 999)
  end
  return 1000
end
