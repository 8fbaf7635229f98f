-- wrk script: like post.lua, but every request carries a new document text. The body's
-- "__SEQ__" (inside an alias of the query's root field) becomes $BENCH_RUN, the thread's
-- number and a counter, a name that no earlier request used, so a server's parse, validation and response caches all miss, as they
-- would for clients that each send their own document. Prints the same JSON line.
--
-- $BENCH_RUN must differ from one wrk run to the next against the same server: the
-- numbers start again at 1 in each run, and without it a run would repeat the documents
-- of the run before, which the response cache then answers (more of them each run).
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(here .. "post.lua")

local head, tail = wrk.body:match("^(.-)__SEQ__(.*)$")
assert(head, "the body in $BENCH_BODY has no __SEQ__ placeholder")
local run = assert(os.getenv("BENCH_RUN"), "set $BENCH_RUN, one value per wrk run")
local threads = 0
local counter = 0

function setup(thread)
  threads = threads + 1
  thread:set("thread_number", threads)
end

function request()
  counter = counter + 1
  local alias = run .. "_" .. tostring(thread_number or 0) .. "_" .. tostring(counter)
  return wrk.format(nil, nil, nil, head .. alias .. tail)
end
