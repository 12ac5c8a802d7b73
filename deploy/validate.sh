#!/usr/bin/env bash
# Offline validation of everything under deploy/ plus docker-compose.yml.
# No cluster, no Docker engine and no network are needed.
#
#   bash deploy/validate.sh
#
# Each check prints PASS, FAIL or "SKIPPED: <tool> not installed"; the script exits
# non-zero if any check failed. Tools (Debian package names):
#   kubectl (or kustomize)      kustomize builds of the overlays
#   promtool                    apt-get install prometheus
#   docker compose / docker-compose   apt-get install docker-compose (v1 is enough for `config -q`)
#   python3 + PyYAML            apt-get install python3-yaml (structural checks)
#   nats-server                 apt-get install nats-server (config syntax)
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
DEPLOY=deploy
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

passed=0
failed=0
skipped=0
pass() { passed=$((passed + 1)); printf 'PASS: %s\n' "$1"; }
fail() { failed=$((failed + 1)); printf 'FAIL: %s\n' "$1"; }
skip() { skipped=$((skipped + 1)); printf 'SKIPPED: %s\n' "$1"; }
have() { command -v "$1" >/dev/null 2>&1; }

# run NAME CMD...: runs CMD, shows its output only when it fails.
run() {
  local name="$1"
  shift
  if "$@" >"$TMP/out" 2>&1; then
    pass "$name"
  else
    fail "$name"
    sed 's/^/    /' "$TMP/out"
  fi
}

PY=''
if have python3 && python3 -c 'import yaml' >/dev/null 2>&1; then PY=python3; fi

# ---------------------------------------------------------------- kustomize
KUSTOMIZE=()
if have kubectl; then
  KUSTOMIZE=(kubectl kustomize)
elif have kustomize; then
  KUSTOMIZE=(kustomize build)
fi
for overlay in "$DEPLOY"/k8s/overlays/*/; do
  env_name="$(basename "$overlay")"
  if [ ${#KUSTOMIZE[@]} -eq 0 ]; then
    skip "kubectl not installed (kustomize build of overlays/$env_name)"
    continue
  fi
  if "${KUSTOMIZE[@]}" "$overlay" >"$TMP/k8s-$env_name.yaml" 2>"$TMP/err"; then
    pass "kustomize build overlays/$env_name"
  else
    fail "kustomize build overlays/$env_name"
    sed 's/^/    /' "$TMP/err"
    continue
  fi
  if [ -z "$PY" ]; then
    skip "python3 + PyYAML not installed (manifest checks of overlays/$env_name)"
    continue
  fi
  run "manifest checks overlays/$env_name" "$PY" - "$TMP/k8s-$env_name.yaml" "$env_name" <<'PYEOF'
import sys, yaml
from urllib.parse import urlparse
path, env = sys.argv[1], sys.argv[2]
docs = [d for d in yaml.safe_load_all(open(path)) if d]
errors = []
by_kind = {}
for d in docs:
    by_kind.setdefault(d["kind"], {})[d["metadata"]["name"]] = d
services = ["booking-api", "webhook-gateway", "calcom-sync"]
ports = {"booking-api": 3000, "webhook-gateway": 3001, "calcom-sync": 3002}
deps = by_kind.get("Deployment", {})
for name in services:
    d = deps.get(name)
    if not d:
        errors.append(f"Deployment {name} missing"); continue
    spec = d["spec"]["template"]["spec"]
    c = spec["containers"][0]
    if spec.get("terminationGracePeriodSeconds") != 15:
        errors.append(f"{name}: terminationGracePeriodSeconds must be 15")
    psc = spec.get("securityContext", {})
    if not psc.get("runAsNonRoot"):
        errors.append(f"{name}: pod securityContext.runAsNonRoot missing")
    sc = c.get("securityContext", {})
    if not sc.get("readOnlyRootFilesystem"):
        errors.append(f"{name}: readOnlyRootFilesystem missing")
    if sc.get("allowPrivilegeEscalation") is not False:
        errors.append(f"{name}: allowPrivilegeEscalation must be false")
    for probe, path_ in (("livenessProbe", "/livez"), ("readinessProbe", "/readyz")):
        if c.get(probe, {}).get("httpGet", {}).get("path") != path_:
            errors.append(f"{name}: {probe} must GET {path_}")
    if not c.get("resources", {}).get("requests") or not c.get("resources", {}).get("limits"):
        errors.append(f"{name}: resources requests/limits missing")
    if [p["containerPort"] for p in c.get("ports", [])] != [ports[name]]:
        errors.append(f"{name}: containerPort must be {ports[name]}")
    refs = {(e.get("configMapRef") or e.get("secretRef") or {}).get("name") for e in c.get("envFrom", [])}
    if not {"calsync-config", "calsync-secrets"} <= refs:
        errors.append(f"{name}: envFrom must reference calsync-config and calsync-secrets")
    env_ = {e["name"]: e for e in c.get("env", [])}
    ref = env_.get("NATS_PASSWORD", {}).get("valueFrom", {}).get("secretKeyRef", {})
    if env_.get("NATS_USER", {}).get("value") != name or ref.get("name") != "calsync-nats-users":
        errors.append(f"{name}: NATS_USER must be {name}, NATS_PASSWORD from calsync-nats-users")
    if name not in by_kind.get("Service", {}):
        errors.append(f"Service {name} missing")
    if name not in by_kind.get("PodDisruptionBudget", {}):
        errors.append(f"PodDisruptionBudget {name} missing")
    env_ = {e["name"]: e for e in c.get("env", [])}
    if "value" not in env_.get("DB_POOL_MAX", {}):
        errors.append(f"{name}: env DB_POOL_MAX (its share of MySQL connections) missing")
# Issue 10: the autoscalers own the scale; a `replicas` in the manifest resets it at every apply.
hpas = by_kind.get("HorizontalPodAutoscaler", {})
sos = by_kind.get("ScaledObject", {})
autoscaled = {h["spec"]["scaleTargetRef"]["name"]: h["spec"]["maxReplicas"] for h in hpas.values()}
autoscaled.update({o["spec"]["scaleTargetRef"]["name"]: o["spec"]["maxReplicaCount"] for o in sos.values()})
for name, d in deps.items():
    if name in autoscaled and "replicas" in d["spec"]:
        errors.append(f"{name}: sets replicas, but an HPA/ScaledObject owns its scale")
if env == "production":
    mins = [h["spec"].get("minReplicas", 1) for h in hpas.values()] + [o["spec"].get("minReplicaCount", 0) for o in sos.values()]
    if min(mins, default=0) < 3:
        errors.append("production: every autoscaler must keep at least 3 replicas")
for name in ("booking-api", "webhook-gateway"):
    h = hpas.get(name)
    if not h:
        errors.append(f"HPA {name} missing")
    elif h["spec"]["metrics"][0]["resource"]["name"] != "cpu":
        errors.append(f"HPA {name} must scale on cpu")
# calcom-sync names its worker after its pod (POD_NAME, downward API).
sync_env = {e["name"]: e for e in deps.get("calcom-sync", {}).get("spec", {}).get("template", {}).get("spec", {}).get("containers", [{}])[0].get("env", [])}
if sync_env.get("POD_NAME", {}).get("valueFrom", {}).get("fieldRef", {}).get("fieldPath") != "metadata.name":
    errors.append("calcom-sync: POD_NAME must come from metadata.name")
# Migrations run once, in a Job; the services never migrate.
job = by_kind.get("Job", {}).get("calsync-migrate")
if not job:
    errors.append("Job calsync-migrate missing")
else:
    jspec = job["spec"]["template"]["spec"]
    jc = jspec["containers"][0]
    if jc.get("command") != ["node", "/app/migrate.js"] or jspec.get("restartPolicy") != "Never":
        errors.append("Job calsync-migrate must run node /app/migrate.js with restartPolicy Never")
    api_image = deps.get("booking-api", {}).get("spec", {}).get("template", {}).get("spec", {}).get("containers", [{}])[0].get("image")
    if jc.get("image") != api_image:
        errors.append(f"Job calsync-migrate must run the booking-api image ({api_image}), not {jc.get('image')}")
    if not jc.get("securityContext", {}).get("readOnlyRootFilesystem"):
        errors.append("Job calsync-migrate: readOnlyRootFilesystem missing")
# Database connections: pool x (max pods + surge) per service + the Job <= max_connections.
if env == "production":
    cm_meta = by_kind.get("ConfigMap", {}).get("calsync-config", {}).get("metadata", {})
    budget = int(cm_meta.get("annotations", {}).get("calsync/mysql-max-connections", 0))
    used = 1
    for name, d in deps.items():
        if name not in autoscaled:
            continue
        pool = int({e["name"]: e for e in d["spec"]["template"]["spec"]["containers"][0].get("env", [])}.get("DB_POOL_MAX", {}).get("value", 20))
        surge = int(d["spec"].get("strategy", {}).get("rollingUpdate", {}).get("maxSurge", 1))
        used += pool * (autoscaled[name] + surge)
    if not budget or used > budget:
        errors.append(f"MySQL connections: {used} at most, budget (calsync/mysql-max-connections) {budget or 'missing'}")
    # The public Ingress routes the APIs by path; never /metrics or the probes.
    ings = list(by_kind.get("Ingress", {}).values())
    if not ings:
        errors.append("production: Ingress missing")
    public = urlparse(by_kind.get("ConfigMap", {}).get("calsync-config", {}).get("data", {}).get("PUBLIC_WEBHOOK_BASE_URL", ""))
    for ing in ings:
        for rule in ing["spec"].get("rules", []):
            if rule.get("host") != public.hostname:
                errors.append(f"Ingress host {rule.get('host')} is not PUBLIC_WEBHOOK_BASE_URL's ({public.hostname})")
            for pth in rule.get("http", {}).get("paths", []):
                path_, svc = pth.get("path", "/"), pth["backend"]["service"]["name"]
                if path_ in ("", "/") or any(path_.startswith(x) for x in ("/metrics", "/livez", "/readyz")):
                    errors.append(f"Ingress routes {path_}: /metrics and the probes must stay in-cluster")
                if svc not in ("booking-api", "webhook-gateway"):
                    errors.append(f"Ingress routes {path_} to {svc}")
so = by_kind.get("ScaledObject", {}).get("calcom-sync")
if not so:
    errors.append("KEDA ScaledObject calcom-sync missing")
else:
    t = so["spec"]["triggers"][0]
    m = t.get("metadata", {})
    if t.get("type") != "nats-jetstream" or m.get("stream") != "APPOINTMENTS" or m.get("consumer") != "calcom-sync":
        errors.append("ScaledObject must use nats-jetstream on APPOINTMENTS/calcom-sync")
    for key in ("natsServerMonitoringEndpoint", "account", "lagThreshold"):
        if not m.get(key):
            errors.append(f"ScaledObject trigger metadata.{key} missing")
    if so["spec"]["scaleTargetRef"]["name"] != "calcom-sync":
        errors.append("ScaledObject must target the calcom-sync Deployment")
cm = by_kind.get("ConfigMap", {}).get("calsync-config", {}).get("data", {})
want_replicas = "3" if env == "production" else "1"
if cm.get("NATS_STREAM_REPLICAS") != want_replicas:
    errors.append(f"NATS_STREAM_REPLICAS must be {want_replicas} in {env}")
for key in ("NATS_URL", "CALCOM_API_URL", "NODE_ENV", "LOG_LEVEL", "PUBLIC_WEBHOOK_BASE_URL"):
    if key not in cm:
        errors.append(f"ConfigMap calsync-config lacks {key}")
if cm.get("DB_MIGRATE") != "false":
    errors.append("ConfigMap calsync-config: DB_MIGRATE must be false (the Job migrates)")
for secret_key in ("SECRETS_KEY", "OPERATOR_TOKEN", "DATABASE_URL"):
    if secret_key in cm:
        errors.append(f"{secret_key} must live in a Secret, not the ConfigMap")
nps = by_kind.get("NetworkPolicy", {})
for np_name in ["default-deny-ingress", "services-egress"] + (["nats-ingress", "mysql-ingress"] if env == "dev" else []):
    if np_name not in nps:
        errors.append(f"NetworkPolicy {np_name} missing")
if env == "dev" and "/etc/nats/durable.conf" not in " ".join(
        deps.get("nats", {}).get("spec", {}).get("template", {}).get("spec", {}).get("containers", [{}])[0].get("args", [])):
    errors.append("dev nats must run deploy/nats/durable.conf (nats-server.conf + sync_interval: always)")
if env == "production" and "calsync-nats-users" in by_kind.get("Secret", {}):
    errors.append("production must not ship the placeholder calsync-nats-users Secret")
if env == "production" and "calsync-secrets" in by_kind.get("Secret", {}):
    errors.append("production must not ship the placeholder Secret (it is created out of band)")
for d in docs:
    if d["kind"] != "Namespace" and d["metadata"].get("namespace") != "calsync":
        errors.append(f"{d['kind']}/{d['metadata']['name']} is not in namespace calsync")
if errors:
    print("\n".join(errors)); sys.exit(1)
PYEOF
done

# ---------------------------------------------------------------- compose
compose_done=''
# The stack has no default secrets: render it with a throw-away set (compose-env.sh --print).
bash deploy/compose-env.sh --print >"$TMP/compose.env"
if have docker && docker compose version >/dev/null 2>&1; then
  run "docker compose config -q" docker compose --env-file "$TMP/compose.env" -f docker-compose.yml config -q
  compose_done=1
elif have docker-compose; then
  run "docker-compose config -q (schema)" docker-compose --env-file "$TMP/compose.env" -f docker-compose.yml config -q
  compose_done=1
fi
# Issue 10: rendered as compose runs it, no scalable service publishes a fixed host port.
if [ -n "$compose_done" ] && [ -n "$PY" ]; then
  if have docker && docker compose version >/dev/null 2>&1; then compose=(docker compose); else compose=(docker-compose); fi
  "${compose[@]}" --env-file "$TMP/compose.env" -f docker-compose.yml config >"$TMP/compose.rendered.yml" 2>/dev/null
  run "rendered compose: no fixed host port on booking-api, webhook-gateway, calcom-sync (--scale works)" \
    "$PY" - "$TMP/compose.rendered.yml" <<'PYEOF'
import sys, yaml
svcs = yaml.safe_load(open(sys.argv[1]))["services"]
bad = [n for n in ("booking-api", "webhook-gateway", "calcom-sync") if svcs[n].get("ports") or svcs[n].get("container_name")]
if bad:
    print("fixed host port or container name (a second replica could not start):", ", ".join(bad)); sys.exit(1)
PYEOF
fi
[ -n "$compose_done" ] || skip "docker compose not installed (compose schema validation; structural check below still runs)"
if [ -n "$PY" ]; then
  run "docker-compose.yml structure" "$PY" - docker-compose.yml <<'PYEOF'
import re, sys, yaml
c = yaml.safe_load(open(sys.argv[1]))
errors = []
svcs = c.get("services", {})
need = ["nats", "mysql", "booking-api", "webhook-gateway", "calcom-sync", "calcom-sandbox", "prometheus", "grafana"]
for n in need:
    if n not in svcs:
        errors.append(f"service {n} missing")
for n in ["nats", "mysql", "booking-api", "webhook-gateway", "calcom-sync", "calcom-sandbox"]:
    if "healthcheck" not in svcs.get(n, {}):
        errors.append(f"{n}: healthcheck missing")
cmd = " ".join(svcs.get("nats", {}).get("command", []))
for flag in ("-js", "-sd /data", "8222"):
    if flag not in cmd:
        errors.append(f"nats: command lacks {flag}")
if not str(svcs.get("nats", {}).get("image", "")).startswith("nats:2.10"):
    errors.append("nats: image must be nats:2.10")
if not str(svcs.get("mysql", {}).get("image", "")).startswith("mysql:8.4"):
    errors.append("mysql: image must be mysql:8.4 (LTS)")
env_keys = ["NATS_URL", "DATABASE_URL", "CALCOM_API_URL", "SECRETS_KEY", "OPERATOR_TOKEN", "NATS_STREAM_REPLICAS",
            "BOOKING_API_PORT", "WEBHOOK_GATEWAY_PORT", "CALCOM_SYNC_PORT", "LOG_LEVEL", "NODE_ENV",
            "RECONCILE_INTERVAL_SECONDS", "WEBHOOK_REPLAY_WINDOW_SECONDS"]
for n in ["booking-api", "webhook-gateway", "calcom-sync"]:
    s = svcs.get(n, {})
    b = s.get("build", {})
    if b.get("dockerfile") != "deploy/docker/Dockerfile" or b.get("args", {}).get("SERVICE") != n:
        errors.append(f"{n}: must build deploy/docker/Dockerfile with SERVICE={n}")
    env = s.get("environment", {})
    for k in env_keys:
        if k not in env:
            errors.append(f"{n}: environment lacks {k}")
    if "calcom-sandbox" not in str(env.get("CALCOM_API_URL", "")):
        errors.append(f"{n}: CALCOM_API_URL must default to the sandbox")
    for dep in ("nats", "mysql"):
        if s.get("depends_on", {}).get(dep, {}).get("condition") != "service_healthy":
            errors.append(f"{n}: depends_on {dep} must wait for service_healthy")
    # Issue 10: `docker compose up --scale <service>=N` works: no fixed host port, no fixed name.
    if s.get("ports") or s.get("container_name"):
        errors.append(f"{n}: a scalable service publishes no host port and has no container_name (`entry` is the way in)")
    # Migrated once by the `migrate` one-shot, never by the replicas.
    if str(env.get("DB_MIGRATE")) != "false":
        errors.append(f"{n}: DB_MIGRATE must be 'false' (the migrate service migrates)")
    if s.get("depends_on", {}).get("migrate", {}).get("condition") != "service_completed_successfully":
        errors.append(f"{n}: depends_on migrate must wait for service_completed_successfully")
if "PUBLIC_WEBHOOK_BASE_URL" not in svcs.get("booking-api", {}).get("environment", {}):
    errors.append("booking-api: environment lacks PUBLIC_WEBHOOK_BASE_URL")
if svcs.get("migrate", {}).get("command") != ["node", "/app/migrate.js"]:
    errors.append("migrate: must run node /app/migrate.js (the schema migrations, once)")
entry = svcs.get("entry", {})
if not entry.get("ports") or not any(str(v).startswith("./deploy/entry/nginx.conf:") for v in entry.get("volumes", [])):
    errors.append("entry: must publish the stack's one port and run deploy/entry/nginx.conf")
nginx = open("deploy/entry/nginx.conf").read()
if "location /metrics" in nginx or not re.search(r"location / \{\s*return 404;", nginx):
    errors.append("deploy/entry/nginx.conf: route only the APIs (location / returns 404), never /metrics")
prom = yaml.safe_load(open("deploy/prometheus/prometheus.yml"))
jobs = {j["job_name"]: j for j in prom.get("scrape_configs", [])}
for n in ["booking-api", "webhook-gateway", "calcom-sync"]:
    sd = jobs.get(n, {}).get("dns_sd_configs", [{}])[0]
    if sd.get("names") != [n] or sd.get("type") != "A":
        errors.append(f"prometheus.yml: job {n} must find its replicas with dns_sd_configs (names: [{n}], type A)")
# Issue 9 item 8: no published port on every interface by default, no well-known secret.
for n, s in svcs.items():
    for p in s.get("ports", []):
        if not str(p).startswith("${BIND_ADDRESS:-127.0.0.1}:"):
            errors.append(f"{n}: port {p} must bind ${{BIND_ADDRESS:-127.0.0.1}}")
text = open(sys.argv[1]).read()
for var in ("SECRETS_KEY", "OPERATOR_TOKEN", "MYSQL_PASSWORD", "MYSQL_ROOT_PASSWORD", "GRAFANA_ADMIN_PASSWORD",
            "NATS_ADMIN_PASSWORD", "NATS_BOOKING_API_PASSWORD", "NATS_WEBHOOK_GATEWAY_PASSWORD",
            "NATS_CALCOM_SYNC_PASSWORD"):
    if "${" + var + ":?" not in text or "${" + var + ":-" in text:
        errors.append(f"{var} must be required (${{{var}:?...}}), never defaulted")
# Issue 9 item 4: NATS with the shipped users, each service with its own.
nats_vols = [str(v) for v in svcs.get("nats", {}).get("volumes", [])]
if "/etc/nats/durable.conf" not in cmd or not all(
        any(v.startswith(f"./deploy/nats/{f}:/etc/nats/{f}") for v in nats_vols) for f in ("nats-server.conf", "durable.conf")):
    errors.append("nats: must run deploy/nats/durable.conf (nats-server.conf + sync_interval: always), both mounted")
for n in ["booking-api", "webhook-gateway", "calcom-sync"]:
    env = svcs.get(n, {}).get("environment", {})
    if env.get("NATS_USER") != n or "NATS_PASSWORD" not in env:
        errors.append(f"{n}: NATS_USER must be {n}, with NATS_PASSWORD")
vols = " ".join(svcs.get("prometheus", {}).get("volumes", []) + svcs.get("grafana", {}).get("volumes", []))
for p in ("./deploy/prometheus", "./deploy/grafana/provisioning", "./deploy/grafana/dashboards"):
    if p not in vols:
        errors.append(f"volume {p} not mounted")
if errors:
    print("\n".join(errors)); sys.exit(1)
PYEOF
else
  skip "python3 + PyYAML not installed (docker-compose.yml structure)"
fi

# ---------------------------------------------------------------- nats config
NATS_BIN=$(command -v nats-server || ls /usr/sbin/nats-server 2>/dev/null || true)
if [ -n "$NATS_BIN" ]; then
  nats_env=(env NATS_ADMIN_PASSWORD=x NATS_BOOKING_API_PASSWORD=x NATS_WEBHOOK_GATEWAY_PASSWORD=x NATS_CALCOM_SYNC_PASSWORD=x)
  run "nats-server -t deploy/nats/nats-server.conf" "${nats_env[@]}" "$NATS_BIN" -c deploy/nats/nats-server.conf -t
  # durable.conf's sync_interval needs nats-server 2.10+ (compose and the dev overlay run 2.10).
  nats_version=$("$NATS_BIN" --version | grep -o '[0-9][0-9.]*' | head -1)
  if [ "$(printf '%s\n' 2.10 "$nats_version" | sort -V | head -1)" = 2.10 ]; then
    run "nats-server -t deploy/nats/durable.conf" "${nats_env[@]}" "$NATS_BIN" -c deploy/nats/durable.conf -t
  else
    mkdir -p "$TMP/nats"
    cp deploy/nats/nats-server.conf "$TMP/nats/"
    grep -v 'sync_interval' deploy/nats/durable.conf >"$TMP/nats/durable.conf"
    run "nats-server -t deploy/nats/durable.conf (include; sync_interval unchecked: nats-server $nats_version < 2.10)" \
      "${nats_env[@]}" "$NATS_BIN" -c "$TMP/nats/durable.conf" -t
  fi
  run "durable.conf sets sync_interval: always" grep -Eq '^[[:space:]]*sync_interval:[[:space:]]*always' deploy/nats/durable.conf
else
  skip "nats-server not installed (deploy/nats/nats-server.conf syntax)"
fi

# ---------------------------------------------------------------- prometheus
if have promtool; then
  run "promtool check config prometheus.yml" promtool check config "$DEPLOY/prometheus/prometheus.yml"
  run "promtool check rules alerts.yml" promtool check rules "$DEPLOY/prometheus/alerts.yml"
  run "promtool test rules alerts.test.yml" promtool test rules "$DEPLOY/prometheus/alerts.test.yml"
else
  skip "promtool not installed (apt-get install prometheus): check config, check rules, test rules"
fi

# ---------------------------------------------------------------- grafana
dash="$DEPLOY/grafana/dashboards/calcom-sync.json"
if have node; then
  run "dashboard JSON parses (node)" node -e 'JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"))' "$dash"
elif [ -n "$PY" ]; then
  run "dashboard JSON parses (python)" "$PY" -c 'import json,sys; json.load(open(sys.argv[1]))' "$dash"
else
  skip "node and python3 not installed (dashboard JSON parse)"
fi
if [ -n "$PY" ]; then
  # Every PromQL expression of the dashboard, as recording rules, so promtool parses them.
  run "dashboard panels, metrics (SPEC §7) and provisioning" "$PY" - "$dash" "$TMP/dash-rules.yml" <<'PYEOF'
import json, sys, re, yaml, glob
dash = json.load(open(sys.argv[1]))
errors = []
if dash.get("uid") != "calcom-sync":
    errors.append("dashboard uid must be calcom-sync")
exprs = []
def walk(panels):
    for p in panels:
        if p.get("type") == "row":
            walk(p.get("panels", [])); continue
        if not p.get("targets"):
            errors.append(f"panel {p.get('title')} has no targets")
        for t in p.get("targets", []):
            exprs.append(t["expr"])
walk(dash.get("panels", []))
text = "\n".join(exprs)
for m in ["http_request_duration_seconds", "sync_attempts_total", "sync_latency_seconds", "sync_loop_prevented_total",
          "sync_echo_suppressed_total", "calcom_circuit_state", "calcom_rate_limit_waits_total",
          "manual_review_queue_size", "webhook_rejections_total", "outbox_pending", "reconcile_drift_total",
          "events_published_total", "events_consumed_total", "events_invalid_total"]:
    if m not in text:
        errors.append(f"dashboard does not chart {m}")
subst = {"$__rate_interval": "5m", "$__interval": "1m", "$service": ".*", "$tenant": ".*"}
rules = []
for i, e in enumerate(exprs):
    for k, v in subst.items():
        e = e.replace(k, v)
    if "$" in e:
        errors.append(f"unknown dashboard variable in: {e}")
    rules.append({"record": f"dashboard:expr_{i}", "expr": e})
yaml.safe_dump({"groups": [{"name": "dashboard", "rules": rules}]}, open(sys.argv[2], "w"))
ds = [yaml.safe_load(open(f)) for f in glob.glob("deploy/grafana/provisioning/datasources/*.yml")]
if not any(d2.get("type") == "prometheus" for d in ds for d2 in d.get("datasources", [])):
    errors.append("no Prometheus datasource provisioned")
dp = [yaml.safe_load(open(f)) for f in glob.glob("deploy/grafana/provisioning/dashboards/*.yml")]
if not any(p.get("options", {}).get("path") == "/var/lib/grafana/dashboards" for d in dp for p in d.get("providers", [])):
    errors.append("no dashboard provider for /var/lib/grafana/dashboards")
if errors:
    print("\n".join(errors)); sys.exit(1)
PYEOF
  if have promtool && [ -f "$TMP/dash-rules.yml" ]; then
    run "dashboard PromQL parses (promtool)" promtool check rules "$TMP/dash-rules.yml"
  else
    skip "promtool not installed (dashboard PromQL parse)"
  fi
else
  skip "python3 + PyYAML not installed (dashboard and provisioning checks)"
fi

# ---------------------------------------------------------------- docker image
if have node; then
  run "healthcheck.js syntax" node --check "$DEPLOY/docker/healthcheck.js"
  run "migrate.js syntax" node --check "$DEPLOY/docker/migrate.js"
else
  skip "node not installed (healthcheck.js syntax)"
fi
run "Dockerfile basics (node:20-bookworm-slim, ARG SERVICE, USER node)" bash -c '
  f=deploy/docker/Dockerfile
  grep -q "^ARG NODE_IMAGE=node:20-bookworm-slim" "$f" && grep -q "^ARG SERVICE" "$f" &&
  grep -q "^USER node" "$f" && grep -q "npm prune --omit=dev" "$f" &&
  grep -q "deploy/docker/healthcheck.js" .dockerignore &&
  grep -q "^COPY .*deploy/docker/migrate.js /app/migrate.js" "$f" && grep -q "^!deploy/docker/migrate.js" .dockerignore'
if have hadolint; then
  run "hadolint Dockerfile" hadolint --ignore DL3008 "$DEPLOY/docker/Dockerfile"
else
  skip "hadolint not installed (Dockerfile lint)"
fi

echo
echo "validate: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
