-- certauthz.lua: lighttpd's side of certauthzd, for mod_magnet
-- (magnet.attract-physical-path-to in 50-certauthz.conf).
--
-- lighttpd runs it twice for an allowed request: before it asks
-- certauthzd (its FastCGI authorizer), and again when it restarts the
-- request after certauthzd's 200, before the backend is asked.
--
-- Every time, it removes from the request every header a client could
-- forge an identity with, in every spelling ('-' or '_', any case):
-- lighttpd forwards X_Certauthz_User as sent.
--
-- Before certauthzd: CERTAUTHZ_PATH is the path lighttpd routes on
-- (decoded, dot segments removed, "//" merged: what $HTTP["url"]
-- matches, after url.rewrite), which certauthzd's when.path then
-- matches (certauthzd(8), PARAMS).  The CERTAUTHZ_* answers are
-- cleared, and the CERTAUTHZ_POLICY the configuration asked for is
-- noted in CERTAUTHZ_ASKED.
--
-- After: lighttpd has appended each Variable-CERTAUTHZ_* of the answer
-- to the environment variable of that name, after ", " when it held a
-- value.  Only CERTAUTHZ_POLICY can: it becomes certauthzd's answer
-- again ("admin, admin" -> "admin").  Then X-Certauthz-User, -Policy,
-- -Rule, -Serial, -Subject and -Email are set from certauthzd's answer
-- alone, each only when it answered it, for a proxied backend; a
-- FastCGI, SCGI or CGI backend reads the CERTAUTHZ_* variables.

local r = lighty.r
local env, hdr = r.req_env, r.req_header

local answers = { "USER", "POLICY", "RULE", "SERIAL", "SUBJECT", "EMAIL" }
local forged = {
	["ssl-client-cert"] = true, ["ssl-client-verify"] = true,
	["x-ssl-client-cert"] = true, ["x-forwarded-user"] = true,
}
for _, n in ipairs(answers) do
	forged["x-certauthz-" .. n:lower()] = true
end

local drop = {}
for k, _ in pairs(hdr) do
	if forged[(k:lower():gsub("_", "-"))] then
		drop[#drop + 1] = k
	end
end
for _, k in ipairs(drop) do
	hdr[k] = nil
end

local asked = env["CERTAUTHZ_ASKED"]
if asked == nil then
	-- Before certauthzd.
	env["CERTAUTHZ_PATH"] = r.req_attr["uri.path"]
	env["CERTAUTHZ_ASKED"] = "policy=" .. (env["CERTAUTHZ_POLICY"] or "")
	for _, n in ipairs(answers) do
		if n ~= "POLICY" then
			env["CERTAUTHZ_" .. n] = nil
		end
	end
	return 0
end

-- After certauthzd's 200 (or any later restart of the request).
local want = asked:sub(#"policy=" + 1)
local policy = env["CERTAUTHZ_POLICY"]
if want ~= "" and policy ~= nil then
	if policy:sub(1, #want + 2) == want .. ", " then
		policy = policy:sub(#want + 3)
	else
		policy = nil	-- certauthzd did not answer it
	end
	env["CERTAUTHZ_POLICY"] = policy
	env["CERTAUTHZ_ASKED"] = "policy="
end
for _, n in ipairs(answers) do
	local name = "X-Certauthz-" .. n:sub(1, 1) .. n:sub(2):lower()
	hdr[name] = env["CERTAUTHZ_" .. n]
end
return 0
