-- One scenario's requests for wrk: method, bearer token and bodies come from the harness through the environment.
-- BENCH_BODIES names a file of JSON bodies, one a line, sent in turn (so repeated updates really change something).
local method = os.getenv("BENCH_METHOD") or "GET"
local token = os.getenv("BENCH_TOKEN")
local bodies = {}
local path = os.getenv("BENCH_BODIES")
if path and path ~= "" then
  for line in io.lines(path) do
    if line ~= "" then bodies[#bodies + 1] = line end
  end
end

local headers = {}
if token and token ~= "" then headers["Authorization"] = "Bearer " .. token end
if #bodies > 0 then headers["Content-Type"] = "application/json" end

local requests = {}
if #bodies == 0 then
  requests[1] = wrk.format(method, nil, headers, nil)
else
  for i, body in ipairs(bodies) do requests[i] = wrk.format(method, nil, headers, body) end
end

local counter = 0
function request()
  counter = counter + 1
  return requests[(counter - 1) % #requests + 1]
end
