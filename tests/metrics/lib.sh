# Helpers shared by the metrics integration tests (sourced).

fail() { echo "FAIL: $*" >&2; exit 1; }

# A free TCP port on the loopback interface.
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Waits until `cmd...` succeeds, up to $1 seconds.
wait_for() {
  local seconds=$1
  shift
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || return 1
    sleep 0.5
  done
}

# Starts a server on a free loopback port and waits until it answers http://127.0.0.1:PORT/READY.
# Another test may take the port between free_port and the server's bind, so a server that dies
# (or is not the one answering) is retried on another port. Sets PORT.
#   start_server NAME READY LOG COMMAND...   ({PORT} in COMMAND's words becomes the port)
start_server() {
  local name=$1 ready=$2 log=$3
  shift 3
  local attempt pid
  for attempt in 1 2 3 4 5; do
    PORT=$(free_port)
    local args=("${@//\{PORT\}/$PORT}")
    "${args[@]}" >"$log" 2>&1 &
    pid=$!
    CHILDREN+=("$pid")
    if wait_for 30 curl -sf "http://127.0.0.1:$PORT$ready" && kill -0 "$pid" 2>/dev/null; then
      return 0
    fi
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    echo "start_server: $name did not start on port $PORT (attempt $attempt): $(tail -n 2 "$log")"
  done
  fail "$name did not start: $(tail -n 5 "$log")"
}

# Kills the background processes this test started, on any exit.
declare -a CHILDREN=()
cleanup() {
  for pid in "${CHILDREN[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${CHILDREN[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT
