-- One scenario's requests for wrk: method, bearer token and bodies come from the harness through the environment.
-- BENCH_BODIES names a file of JSON bodies, one a line, sent in turn (so repeated updates really change something).
-- A line "PATH<TAB>BODY" also names its own path (each request on a fresh case), unless BENCH_FIXED_PATH is set
-- (the floor). BENCH_OFFSET skips the requests a warm-up already sent.
local method = os.getenv("BENCH_METHOD") or "GET"
local token = os.getenv("BENCH_TOKEN")
local fixed_path = (os.getenv("BENCH_FIXED_PATH") or "") ~= ""
local bodies, paths = {}, {}
local file = os.getenv("BENCH_BODIES")
if file and file ~= "" then
  for line in io.lines(file) do
    if line ~= "" then
      local path, body = line:match("^([^\t]*)\t(.*)$")
      if path == nil then body = line elseif not fixed_path then paths[#bodies + 1] = path end
      bodies[#bodies + 1] = body
    end
  end
end

-- BENCH_AUTH_SCHEME: how the token is sent (Bearer, or a dialect's ApiKey); BENCH_HEADERS: more headers, one
-- "Name: value" a line.
local scheme = os.getenv("BENCH_AUTH_SCHEME") or ""
if scheme == "" then scheme = "Bearer" end
local headers = {}
if token and token ~= "" then headers["Authorization"] = scheme .. " " .. token end
for line in (os.getenv("BENCH_HEADERS") or ""):gmatch("[^\n]+") do
  local name, value = line:match("^([^:]+):%s*(.*)$")
  if name then headers[name] = value end
end
if #bodies > 0 then headers["Content-Type"] = "application/json" end

local requests = {}
if #bodies == 0 then
  requests[1] = wrk.format(method, nil, headers, nil)
else
  for i, body in ipairs(bodies) do requests[i] = wrk.format(method, paths[i], headers, body) end
end

local counter = tonumber(os.getenv("BENCH_OFFSET") or "0") or 0
function request()
  counter = counter + 1
  return requests[(counter - 1) % #requests + 1]
end

-- wrk --latency prints 50/75/90/99 only; the targets are p95 (microseconds here, as wrk keeps them).
function done(summary, latency, requests)
  io.write(string.format("p95_us: %d\n", latency:percentile(95)))
end
