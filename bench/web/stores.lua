-- bench/web/stores.lua - wrk requests for GET /api/v1/stores, as bench/web.sh runs them.
--
-- Environment:
--   WEB_MIX     good (default): real places from WEB_CITIES, k=5; every 5th request adds
--               a radius (25mi or 40km in turn), every 10th a chain (the five synthetic
--               chains in turn). bad: requests the API must refuse, six kinds in turn
--               (see BAD below).
--   WEB_CITIES  the list of places, one a line, '#' comments (bench/web/cities.txt)
--   WEB_COUNT   when set, count answers by status (wrk then reads every response into
--               Lua, which costs the client CPU: bench/web.sh sets it for the warm-up
--               and check passes only, not for the timed runs)
--
-- Each wrk thread starts at its own offset in the list; requests are prepared once in
-- init(). done() prints key=value lines (prefix "web.") for bench/web.sh to read.

local mix = os.getenv("WEB_MIX") or "good"
local cities_path = os.getenv("WEB_CITIES") or "bench/web/cities.txt"
local CHAINS = { "Re-Up Mart", "corner market", "QuickStop", "valudrug", "FreshFuel" }

local function urlencode(s)
    return (s:gsub("[^%w%-%._~]", function(c)
        if c == " " then return "+" end
        return string.format("%%%02X", string.byte(c))
    end))
end

local function read_cities(path)
    local list = {}
    local f = assert(io.open(path, "r"), "cannot read " .. path)
    for line in f:lines() do
        if line ~= "" and line:sub(1, 1) ~= "#" then list[#list + 1] = line end
    end
    f:close()
    assert(#list > 0, "no places in " .. path)
    return list
end

-- A typo: the name part (before the first comma) without its second letter, so the
-- place is not found and the answer is a 404 with suggestions spelled alike.
local function typo(city)
    local name, rest = city:match("^([^,]+)(.*)$")
    return name:sub(1, 1) .. name:sub(3) .. "q" .. rest
end

local function good_paths(cities)
    local paths = {}
    for i, city in ipairs(cities) do
        local p = "/api/v1/stores?q=" .. urlencode(city) .. "&k=5"
        if i % 5 == 0 then p = p .. "&radius=" .. ((i / 5) % 2 == 0 and "25mi" or "40km") end
        if i % 10 == 3 then p = p .. "&chain=" .. urlencode(CHAINS[math.floor(i / 10) % #CHAINS + 1]) end
        paths[#paths + 1] = p
    end
    return paths
end

-- BAD: the six kinds of bad request, in turn, each on a different place of the list.
--   unknown parameter -> 400 unknown_parameter     k=999 -> 400 bad_parameter
--   no q              -> 400 missing_parameter     q over 1,024 bytes -> 413 query_too_long
--   a misspelt place  -> 404 place_not_found with suggestions
--   %ZZ in q          -> 400 bad_parameter (malformed percent-encoding)
local function bad_paths(cities)
    local paths = {}
    local long = string.rep("Rock+Springs+", 90) -- q of 1,170 bytes: a query string of 1,176
    for i, city in ipairs(cities) do
        local q = urlencode(city)
        local kind = i % 6
        local p
        if kind == 0 then p = "q=" .. q .. "&k=5&color=red"
        elseif kind == 1 then p = "q=" .. q .. "&k=999"
        elseif kind == 2 then p = "k=5&radius=25mi"
        elseif kind == 3 then p = "q=" .. long .. "&k=5"
        elseif kind == 4 then p = "q=" .. urlencode(typo(city)) .. "&k=5"
        else p = "q=" .. q:sub(1, 3) .. "%ZZ" .. q:sub(4) .. "&k=5" end
        paths[#paths + 1] = "/api/v1/stores?" .. p
    end
    return paths
end

-- main state: number the threads and keep them for done()
local threads = {}
local counter = 0
function setup(thread)
    thread:set("tid", counter)
    counter = counter + 1
    threads[#threads + 1] = thread
end

-- thread state
local requests_ = {}
local n, at = 0, 0
statuses = {}

function init(args)
    local cities = read_cities(cities_path)
    local paths = mix == "bad" and bad_paths(cities) or good_paths(cities)
    for i, p in ipairs(paths) do requests_[i] = wrk.format("GET", p) end
    n = #requests_
    at = (tonumber(tid) or 0) * math.floor(n / 2) + (tonumber(tid) or 0) * 7
end

function request()
    at = at % n + 1
    return requests_[at]
end

if os.getenv("WEB_COUNT") then
    function response(status, headers, body)
        statuses[status] = (statuses[status] or 0) + 1
    end
end

function done(summary, latency, requests)
    local s = summary
    local secs = s.duration / 1e6
    io.write(string.format("web.mix=%s\n", mix))
    io.write(string.format("web.requests=%d\n", s.requests))
    io.write(string.format("web.duration_s=%.3f\n", secs))
    io.write(string.format("web.rps=%.1f\n", s.requests / secs))
    io.write(string.format("web.p50_ms=%.3f\n", latency:percentile(50) / 1000))
    io.write(string.format("web.p90_ms=%.3f\n", latency:percentile(90) / 1000))
    io.write(string.format("web.p99_ms=%.3f\n", latency:percentile(99) / 1000))
    io.write(string.format("web.max_ms=%.3f\n", latency.max / 1000))
    io.write(string.format("web.non2xx=%d\n", s.errors.status))
    io.write(string.format("web.socket_errors=%d\n",
        s.errors.connect + s.errors.read + s.errors.write + s.errors.timeout))
    if os.getenv("WEB_COUNT") then
        local total = {}
        for _, t in ipairs(threads) do
            for code, count in pairs(t:get("statuses") or {}) do
                total[code] = (total[code] or 0) + count
            end
        end
        local codes = {}
        for code in pairs(total) do codes[#codes + 1] = code end
        table.sort(codes)
        for _, code in ipairs(codes) do io.write(string.format("web.status.%d=%d\n", code, total[code])) end
    end
end
