-- wrk script: search requests cycling through queries in several spellings.
--   wrk -t2 -c50 -d20s --latency -s scripts/search-load.lua http://127.0.0.1:8080
-- Each connection starts at a different query so the 50 clients do not move in step.
local queries = {
  "سورية", "سوريا", "الاسد", "والأسد", "دمشق", "الغوطة الشرقية", "\"مجلس الأمن\"",
  "النفط اوبك", "أسعار النفط", "الانتخابات العراقية", "السيسي", "مصر", "محمد صلاح",
  "ليفربول", "السعودية السينما", "فيسبوك", "روسيا", "ترامب", "الامم المتحدة", "الكويت",
  "لبنان الانتخابات", "الحريري", "اليمن الحوثيين", "ايران الاتفاق النووي", "كوريا الشمالية",
  "القدس", "غزة", "تركيا", "الرياض", "قطر", "الإمارات", "الجزائر", "تونس", "ليبيا",
  "السودان", "العراق", "بغداد", "الموصل", "حلب", "ادلب",
}
local function urlencode(s)
  return (s:gsub("[^%w%-_%.~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end
local paths = {}
for i, q in ipairs(queries) do
  paths[i] = "/api/search?q=" .. urlencode(q) .. "&limit=10"
end
local counter = 0
function setup(thread)
  counter = counter + 1
  thread:set("offset", counter * 7)
end
local n = 0
function request()
  n = n + 1
  local p = paths[((n + (offset or 0)) % #paths) + 1]
  return wrk.format("GET", p)
end
