-- wrk script: every request presents the first token of a file.
-- A 401 or 403 shows in wrk's "Non-2xx or 3xx responses" line.
--   wrk -t2 -c32 -d10s -s wrk/repeated.lua http://127.0.0.1:18081/api/private-scoped -- tokens.txt

local header

function init(args)
  local path = args[1] or "tokens.txt"
  for line in io.lines(path) do
    if #line > 0 then
      header = "Bearer " .. line
      break
    end
  end
  if header == nil then
    error("no token in " .. path)
  end
  wrk.headers["Authorization"] = header
end
