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

# The action server has no authentication: only this machine may call it (rasa_sdk reads SANIC_HOST).
SANIC_HOST=127.0.0.1 $RASA run actions --actions actions --port "$ACTION_PORT" >var/log/actions.log 2>&1 &
pids+=($!)
if [ "$MODE" = "--shell" ]; then
  for _ in $(seq 1 60); do curl -fsS "http://127.0.0.1:${ACTION_PORT}/health" >/dev/null 2>&1 && break; sleep 1; done
  $RASA shell --model models/council.tar.gz --endpoints var/endpoints.yml
  exit 0
fi
$RASA run --model models/council.tar.gz --endpoints var/endpoints.yml --credentials credentials.yml \
  --port "$RASA_PORT" --interface 127.0.0.1 --enable-api --cors "http://127.0.0.1:${RASA_PORT}" \
  >var/log/rasa.log 2>&1 &
pids+=($!)

echo "Starting the assistant (logs in var/log/)..."
for _ in $(seq 1 180); do
  if curl -fsS "http://127.0.0.1:${RASA_PORT}/status" >/dev/null 2>&1; then break; fi
  if ! kill -0 "${pids[1]}" 2>/dev/null; then echo "Rasa stopped: see var/log/rasa.log"; exit 1; fi
  sleep 1
done
$PY -m bot.run_banner --rasa-port "$RASA_PORT"
echo "Press Ctrl-C to stop."
wait -n "${pids[@]}"
echo "A server stopped: see var/log/."
