-- wrk script: register dossiers received at the desk and accept each one exactly once, both
-- as the district's reception officer (online submissions are limited to 20 an hour per
-- applicant account, see motcua-http/src/throttle.rs). The token comes from the environment.
--
-- wrk shares this state between the connections of one thread, so submitted ids go into a
-- queue: a connection that has an id waiting sends its acceptance, otherwise a submission.
-- Every dossier is accepted once, whichever connection submitted it.
local desk = os.getenv("DESK_TOKEN")
local pending = {}
local head, tail = 1, 0
local submit_body = '{"procedure":"HKD-DK-THANH-LAP","agency":"000.20.31.H53","channel":"direct","applicant":{"name":"Tải thử"}}'

request = function()
  if head <= tail then
    local id = pending[head]
    pending[head] = nil
    head = head + 1
    return wrk.format("POST", "/api/v1/dossiers/" .. id .. "/commands",
      { ["content-type"] = "application/json", ["authorization"] = "Bearer " .. desk },
      '{"command":"accept"}')
  end
  return wrk.format("POST", "/api/v1/dossiers",
    { ["content-type"] = "application/json", ["authorization"] = "Bearer " .. desk }, submit_body)
end

response = function(status, headers, body)
  if status == 201 then
    local id = string.match(body, '"id":"([^"]+)"')
    if id then
      tail = tail + 1
      pending[tail] = id
    end
  end
end
