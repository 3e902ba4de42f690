-- POST /api/v1/search with a few varied queries (German and English, lexical and
-- paraphrased, over all three role areas of samples/). The API key comes from WISSEN_KEY.
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(here .. "report.lua")

local key = os.getenv("WISSEN_KEY")
if key == nil or key == "" then
  error("set WISSEN_KEY to an API key")
end

local queries = {
  "Reisekosten Frist Abrechnung",
  "Wie viele Zeichen muss ein Passwort haben?",
  "Resturlaub übertragen",
  "Kantine Zuschuss Mittagessen",
  "travel expenses deadline",
  "password policy minimum length",
  "parental leave",
  "Gehaltsband",
  "prototype test results",
  "how do I request vacation",
}

local bodies = {}
for i, q in ipairs(queries) do
  -- k varies too, so responses differ in size.
  bodies[i] = string.format('{"query": "%s", "k": %d}', q, 5 + (i % 3) * 5)
end

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. key

local counter = 0
function request()
  counter = counter + 1
  return wrk.format(nil, nil, nil, bodies[(counter % #bodies) + 1])
end
