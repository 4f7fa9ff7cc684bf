-- wrk script: each request presents the next token of a file (one per line),
-- so that a run cycles through many distinct tokens.
--   wrk -t2 -c32 -d10s -s wrk/distinct.lua http://127.0.0.1:18081/api/private-scoped -- tokens.txt
-- Each thread starts at a random offset of the list. A 401 or 403 shows in
-- wrk's "Non-2xx or 3xx responses" line.

local tokens = {}
local n = 0
local i = 0

function init(args)
  local path = args[1] or "tokens.txt"
  for line in io.lines(path) do
    if #line > 0 then
      n = n + 1
      tokens[n] = "Bearer " .. line
    end
  end
  if n == 0 then
    error("no tokens in " .. path)
  end
  i = math.random(n) - 1
end

function request()
  i = (i % n) + 1
  return wrk.format("GET", nil, { ["Authorization"] = tokens[i] })
end
