#!/usr/bin/env bash
# Start the action server and the Rasa server together; one Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=.venv/bin/python
RASA=.venv/bin/rasa
RASA_PORT=${RASA_PORT:-5005}
ACTION_PORT=${ACTION_PORT:-5055}
export ACTION_SERVER_URL=${ACTION_SERVER_URL:-http://127.0.0.1:${ACTION_PORT}/webhook}
# The demo serves plain http on 127.0.0.1 only: staff cookies cannot be Secure there.
export STAFF_SECURE_COOKIES=${STAFF_SECURE_COOKIES:-0}

# The action server takes calls only with this secret (rasa_sdk_plugins/caller_check.py);
# the demo makes a new one each run unless one is set.
export ACTION_SERVER_SECRET=${ACTION_SERVER_SECRET:-$($PY -c 'import secrets; print(secrets.token_urlsafe(32))')}
# Rasa's HTTP API (/conversations, /model...) stays off unless RASA_API_TOKEN is set; then
# every call must carry ?token=<it>. Keep it for scripts on this machine.
API_FLAGS=()
if [ -n "${RASA_API_TOKEN:-}" ]; then API_FLAGS=(--enable-api --auth-token "$RASA_API_TOKEN"); fi

mkdir -p var/log
$PY -m bot.endpoints var/endpoints.yml >/dev/null

MODE=${1:-server}
pids=()
stop() {
  trap - INT TERM EXIT
  echo; echo "Stopping the assistant..."
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap stop INT TERM EXIT

# Only this machine may call the action server (rasa_sdk reads SANIC_HOST), with the secret.
SANIC_HOST=127.0.0.1 $RASA run actions --actions actions --port "$ACTION_PORT" >var/log/actions.log 2>&1 &
pids+=($!)
if [ "$MODE" = "--shell" ]; then
  for _ in $(seq 1 60); do curl -fsS "http://127.0.0.1:${ACTION_PORT}/health" >/dev/null 2>&1 && break; sleep 1; done
  $RASA shell --model models/council.tar.gz --endpoints var/endpoints.yml
  exit 0
fi
$RASA run --model models/council.tar.gz --endpoints var/endpoints.yml --credentials credentials.yml \
  --port "$RASA_PORT" --interface 127.0.0.1 ${API_FLAGS[@]+"${API_FLAGS[@]}"} \
  >var/log/rasa.log 2>&1 &
pids+=($!)

echo "Starting the assistant (logs in var/log/)..."
for _ in $(seq 1 180); do
  if curl -fsS "http://127.0.0.1:${RASA_PORT}/" >/dev/null 2>&1; then break; fi
  if ! kill -0 "${pids[1]}" 2>/dev/null; then echo "Rasa stopped: see var/log/rasa.log"; exit 1; fi
  sleep 1
done
$PY -m bot.run_banner --rasa-port "$RASA_PORT"
echo "Press Ctrl-C to stop."
wait -n "${pids[@]}"
echo "A server stopped: see var/log/."
