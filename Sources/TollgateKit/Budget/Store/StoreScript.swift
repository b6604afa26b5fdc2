/// The one Lua script the store runs (by `EVALSHA`): it reserves, or adds to, every budget and
/// rate bucket a call reaches in one atomic step, at the server's own time (`TIME`), so gates
/// on many machines share caps exactly whatever their clocks say.
///
/// Keys: the budgets' hashes, then the rate buckets' hashes (all under the namespace's hash tag,
/// so they live in one slot). Arguments:
///
/// 1. `r` (reserve: check every cap and rate, then add all or nothing) or `a` (add, unchecked:
///    a settlement, a release, a reconciliation);
/// 2. the number of budgets, 3. the number of rate buckets;
/// 4. the bucket width, 5. the window (0: none), 6. how long buckets are kept, 7. the budgets'
///    expiry (all in milliseconds);
/// 8. for `a`, the time the amounts count at (a reservation's own time; -1: now; ignored for `r`);
/// then per budget its four caps (calls, cost in millionths, result tokens, sampling tokens;
/// -1: uncapped) and the four amounts; then per rate bucket its count, interval and burst.
///
/// A budget's hash holds its totals (`c`, `m`, `r`, `s`), the amounts per time bucket
/// (`c:N`…, bucket N = time ÷ width) and the oldest and newest bucket kept (`lo`, `hi`); the
/// script drops buckets as they leave (taking their spend out of the totals under a window), so
/// a budget keeps at most window ÷ width + 1 buckets, and each key expires unless used.
/// Semantics are ``BudgetState``'s: calls, cost and sampling tokens refuse an amount that would
/// cross the cap; result tokens refuse once the cap is reached (checked for calls only). A rate
/// bucket (`u`: level in 1/interval tokens, `t`: when) is ``TokenBucket``'s exact arithmetic.
///
/// Replies: `{1, now, totals of each budget (4 each)}`; a budget refusal
/// `{0, now, budget, counter, used, cap, requested, resetsAt or -1}`; a rate refusal
/// `{2, now, bucket, retryAfterMs}`. All numbers stay below 2^53 (Lua's exact integers).
package enum StoreScript {
    /// The script's text.
    package static let text = #"""
local op = ARGV[1]
local nb = tonumber(ARGV[2])
local nr = tonumber(ARGV[3])
local width = tonumber(ARGV[4])
local window = tonumber(ARGV[5])
local retention = tonumber(ARGV[6])
local ttl = tonumber(ARGV[7])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
local function idiv(a, b)
  local q = math.floor(a / b)
  if q * b > a then q = q - 1 elseif (q + 1) * b <= a then q = q + 1 end
  return q
end
local function cdiv(a, b) return -idiv(-a, b) end
local names = {'c', 'm', 'r', 's'}
local expired = idiv(now - retention, width) - 1
local function fields(i) return 'c:' .. i, 'm:' .. i, 'r:' .. i, 's:' .. i end
local function prune(key)
  local v = redis.call('HMGET', key, 'c', 'm', 'r', 's', 'lo', 'hi')
  local total = {tonumber(v[1]) or 0, tonumber(v[2]) or 0, tonumber(v[3]) or 0, tonumber(v[4]) or 0}
  local lo, hi = tonumber(v[5]), tonumber(v[6])
  if lo == nil or lo > expired then return total, lo, hi end
  if hi <= expired then
    redis.call('DEL', key)
    if window > 0 then return {0, 0, 0, 0}, nil, nil end
    redis.call('HSET', key, 'c', total[1], 'm', total[2], 'r', total[3], 's', total[4])
    redis.call('PEXPIRE', key, ttl)
    return total, nil, nil
  end
  for i = lo, expired do
    if window > 0 then
      local b = redis.call('HMGET', key, fields(i))
      for k = 1, 4 do total[k] = total[k] - (tonumber(b[k]) or 0) end
    end
    redis.call('HDEL', key, fields(i))
  end
  if window > 0 then redis.call('HSET', key, 'c', total[1], 'm', total[2], 'r', total[3], 's', total[4]) end
  redis.call('HSET', key, 'lo', expired + 1)
  return total, expired + 1, hi
end
local function resets(key, k, used, cap, requested, lo, hi)
  if window == 0 or lo == nil then return -1 end
  local remaining = used
  for i = lo, hi do
    remaining = remaining - (tonumber(redis.call('HGET', key, names[k] .. ':' .. i)) or 0)
    local fits
    if requested > 0 then fits = remaining + requested <= cap else fits = remaining < cap end
    if fits then return (i + 1) * width + window end
  end
  return -1
end
local function add(key, base, total, lo, hi, at)
  local bucket = idiv(at, width)
  local live = bucket > expired
  if not live and window > 0 then return total end
  for k = 1, 4 do
    local amount = tonumber(ARGV[base + 4 + k])
    if amount ~= 0 then
      total[k] = redis.call('HINCRBY', key, names[k], amount)
      if live then redis.call('HINCRBY', key, names[k] .. ':' .. bucket, amount) end
    end
  end
  if live then
    if lo == nil or bucket < lo then redis.call('HSET', key, 'lo', bucket) end
    if hi == nil or bucket > hi then redis.call('HSET', key, 'hi', bucket) end
  end
  redis.call('PEXPIRE', key, ttl)
  return total
end
local state = {}
local reply = {1, now}
for i = 1, nb do
  local base = 8 + (i - 1) * 8
  local total, lo, hi = prune(KEYS[i])
  state[i] = {total, lo, hi}
  if op == 'r' then
    local calls = tonumber(ARGV[base + 5])
    for k = 1, 4 do
      local cap = tonumber(ARGV[base + k])
      local amount = tonumber(ARGV[base + 4 + k])
      if cap >= 0 then
        local refused, requested = false, amount
        if k == 3 then
          refused = calls > 0 and total[3] >= cap
          requested = 0
        else
          refused = amount > 0 and total[k] + amount > cap
        end
        if refused then
          return {0, now, i, k - 1, total[k], cap, requested, resets(KEYS[i], k, total[k], cap, requested, lo, hi)}
        end
      end
    end
  end
end
local levels = {}
if op == 'r' then
  local worst, which = 0, 0
  for j = 1, nr do
    local base = 8 + nb * 8 + (j - 1) * 3
    local count, interval, capacity = tonumber(ARGV[base + 1]), tonumber(ARGV[base + 2]), tonumber(ARGV[base + 3])
    local v = redis.call('HMGET', KEYS[nb + j], 'u', 't')
    local full = capacity * interval
    local units, updated = tonumber(v[1]), tonumber(v[2])
    local level = full
    if units ~= nil then
      if now <= updated then level = units
      elseif now - updated >= cdiv(full - units, count) then level = full
      else level = units + (now - updated) * count end
    end
    levels[j] = {level, updated, full, count, interval}
    if level < interval then
      local wait = cdiv(interval - level, count)
      if wait > worst then worst, which = wait, j end
    end
  end
  if which > 0 then return {2, now, which, worst} end
end
local at = now
if op == 'a' and tonumber(ARGV[8]) >= 0 then at = tonumber(ARGV[8]) end
for i = 1, nb do
  local total = add(KEYS[i], 8 + (i - 1) * 8, state[i][1], state[i][2], state[i][3], at)
  for k = 1, 4 do reply[#reply + 1] = total[k] end
end
for j = 1, #levels do
  local l = levels[j]
  local units = l[1] - l[5]
  local updated = now
  if l[2] ~= nil and l[2] > now then updated = l[2] end
  redis.call('HSET', KEYS[nb + j], 'u', units, 't', updated)
  redis.call('PEXPIRE', KEYS[nb + j], cdiv(l[3] - units, l[4]) + 1000)
end
return reply
"""#
}
