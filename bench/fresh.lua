-- wrk script: like post.lua, but every request carries a new document text. The body's
-- "__SEQ__" (inside an alias of the query's root field) becomes a number that no earlier
-- request used, so a server's parse, validation and response caches all miss, as they
-- would for clients that each send their own document. Prints the same JSON line.
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(here .. "post.lua")

local head, tail = wrk.body:match("^(.-)__SEQ__(.*)$")
assert(head, "the body in $BENCH_BODY has no __SEQ__ placeholder")
local threads = 0
local counter = 0

function setup(thread)
  threads = threads + 1
  thread:set("thread_number", threads)
end

function request()
  counter = counter + 1
  local alias = tostring(thread_number or 0) .. "_" .. tostring(counter)
  return wrk.format(nil, nil, nil, head .. alias .. tail)
end
