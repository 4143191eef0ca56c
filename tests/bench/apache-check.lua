-- apache-check.lua: the wrk script of the "apache" case of `make bench`.
--
--   wrk -s apache-check.lua URL -- ALICE_PATH BOB_PATH
--
-- Alternates requests between ALICE_PATH and BOB_PATH (front nginx
-- locations that present alice's and bob's certificate to Apache and add
-- "X-Who: alice|bob" to every answer) and checks each answer: alice must
-- get 200 with the backend's body "ok", bob 403.  done() prints one line
--   check a200=N b403=N wrong=N
-- summed over wrk's threads.

local threads = {}

function setup(thread)
	table.insert(threads, thread)
end

function init(args)
	paths = { args[1], args[2] }
	n = 0
	a200 = 0
	b403 = 0
	wrong = 0
end

function request()
	n = n + 1
	return wrk.format("GET", paths[n % 2 + 1])
end

function response(status, headers, body)
	local who = headers["X-Who"]
	if who == "alice" and status == 200 and body == "ok\n" then
		a200 = a200 + 1
	elseif who == "bob" and status == 403 then
		b403 = b403 + 1
	else
		wrong = wrong + 1
	end
end

function done(summary, latency, requests)
	local a, b, w = 0, 0, 0
	for _, t in ipairs(threads) do
		a = a + t:get("a200")
		b = b + t:get("b403")
		w = w + t:get("wrong")
	end
	io.write(string.format("check a200=%d b403=%d wrong=%d\n", a, b, w))
end
