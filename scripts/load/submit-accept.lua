-- wrk script: submit dossiers online (as an applicant) and accept each submitted one exactly
-- once (as the district's reception officer). Tokens come from the environment.
--
-- wrk shares this state between the connections of one thread, so submitted ids go into a
-- queue: a connection that has an id waiting sends its acceptance, otherwise a submission.
-- Every dossier is accepted once, whichever connection submitted it.
local applicant = os.getenv("APPLICANT_TOKEN")
local desk = os.getenv("DESK_TOKEN")
local pending = {}
local head, tail = 1, 0
local submit_body = '{"procedure":"HKD-DK-THANH-LAP","agency":"000.20.31.H53","applicant":{"name":"Tải thử"}}'

request = function()
  if head <= tail then
    local id = pending[head]
    pending[head] = nil
    head = head + 1
    return wrk.format("POST", "/api/v1/dossiers/" .. id .. "/commands",
      { ["content-type"] = "application/json", ["authorization"] = "Bearer " .. desk },
      '{"command":"accept","sequence":0}')
  end
  return wrk.format("POST", "/api/v1/dossiers",
    { ["content-type"] = "application/json", ["authorization"] = "Bearer " .. applicant }, submit_body)
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
