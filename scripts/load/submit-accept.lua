-- wrk script: alternately submit a dossier online (as an applicant) and accept the one just
-- submitted (as the district's reception officer). Tokens come from the environment.
local applicant = os.getenv("APPLICANT_TOKEN")
local desk = os.getenv("DESK_TOKEN")
local pending = nil
local submit_body = '{"procedure":"HKD-DK-THANH-LAP","agency":"000.20.31.H53","applicant":{"name":"Tải thử"}}'

request = function()
  if pending then
    local id = pending
    pending = nil
    return wrk.format("POST", "/api/v1/dossiers/" .. id .. "/commands",
      { ["content-type"] = "application/json", ["authorization"] = "Bearer " .. desk },
      '{"command":"accept","sequence":0}')
  end
  return wrk.format("POST", "/api/v1/dossiers",
    { ["content-type"] = "application/json", ["authorization"] = "Bearer " .. applicant }, submit_body)
end

response = function(status, headers, body)
  if status == 201 then
    pending = string.match(body, '"id":"([^"]+)"')
  end
end
