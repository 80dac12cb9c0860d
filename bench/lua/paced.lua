-- Scenario fixed-rate: Debian's wrk has no -R (that is wrk2, not packaged), so this script
-- paces requests itself. wrk calls delay() before each request on a connection and sends
-- the request after that many milliseconds. All connections of the thread share one
-- schedule of send slots, INTERVAL = 1000 * threads / RATE ms apart: each request takes the
-- next free slot, so the thread sends RATE/threads req/s as long as some connection is free.
-- When the sender falls behind (every connection busy, or wrk's CPU stalled), it catches up on
-- at most MAX_LAG_MS of missed slots and drops older ones, so short stalls do not lower the
-- rate and long ones do not end in a burst. Latency is timed from the actual send (wrk starts the clock after the delay), so
-- like wrk and unlike wrk2 there is no coordinated-omission correction: check that the
-- achieved rate is the target rate. wrk rounds delays down to whole ms, so single sends jitter
-- by < 1 ms while the average rate holds.
-- Arguments (after --): RATE (total req/s, default 2000), THREADS (wrk -t, default 1).
local ffi = require("ffi")
ffi.cdef[[
typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
int clock_gettime(int clk_id, bench_timespec *tp);
]]
local CLOCK_MONOTONIC = 1
local ts = ffi.new("bench_timespec")

local function now_ms()
  ffi.C.clock_gettime(CLOCK_MONOTONIC, ts)
  return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
end

local MAX_LAG_MS = 100
local interval = 0.5
local next_slot = nil

function init(args)
  local rate = tonumber(args[1]) or 2000
  local threads = tonumber(args[2]) or 1
  interval = 1000 * threads / rate
end

function delay()
  local now = now_ms()
  if next_slot == nil or next_slot < now - MAX_LAG_MS then
    next_slot = now
  end
  local d = next_slot - now
  next_slot = next_slot + interval
  if d < 0 then
    return 0
  end
  return d
end
