// Validates rendered chart output: each YAML document against the Kubernetes schema of its kind
// (kubernetes-models, and the Prometheus Operator's models for ServiceMonitor), then the chart's
// own rules for pods: the secure defaults and the memory flags. check.sh copies this file next to
// its node_modules and runs it as `node validate-manifests.mjs rendered.yaml...`.
// Exits non-zero on the first file with any error; an unknown kind is an error, not a skip.
import { readFileSync } from "node:fs";
import YAML from "yaml";

// apiVersion -> module that exports one class per kind.
const MODULES = {
  "v1": "kubernetes-models/v1",
  "apps/v1": "kubernetes-models/apps/v1",
  "autoscaling/v2": "kubernetes-models/autoscaling/v2",
  "policy/v1": "kubernetes-models/policy/v1",
  "monitoring.coreos.com/v1": "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1",
};

async function modelFor(apiVersion, kind) {
  const module = MODULES[apiVersion];
  if (!module) return null;
  const exports = await import(module);
  return exports[kind] ?? null;
}

// The pod rules every workload of the chart keeps (see values.yaml: podSecurityContext,
// securityContext): a problem list, empty when the pod is fine.
function podProblems(where, pod) {
  const problems = [];
  const spec = pod?.spec ?? {};
  if (spec.securityContext?.runAsNonRoot !== true) problems.push(`${where}: pod securityContext.runAsNonRoot is not true`);
  if (!Number.isInteger(spec.securityContext?.runAsUser)) problems.push(`${where}: pod securityContext.runAsUser is not numeric`);
  if (!Number.isInteger(spec.securityContext?.fsGroup)) problems.push(`${where}: pod securityContext.fsGroup is not numeric`);
  if (spec.securityContext?.seccompProfile?.type !== "RuntimeDefault") problems.push(`${where}: pod seccompProfile is not RuntimeDefault`);
  if (spec.automountServiceAccountToken !== false) problems.push(`${where}: automountServiceAccountToken is not false`);
  for (const c of [...(spec.initContainers ?? []), ...(spec.containers ?? [])]) {
    const sc = c.securityContext ?? {};
    const at = `${where} container ${c.name}`;
    if (sc.readOnlyRootFilesystem !== true) problems.push(`${at}: readOnlyRootFilesystem is not true`);
    if (sc.allowPrivilegeEscalation !== false) problems.push(`${at}: allowPrivilegeEscalation is not false`);
    if (!(sc.capabilities?.drop ?? []).includes("ALL")) problems.push(`${at}: capabilities.drop lacks ALL`);
    if (!c.resources?.limits?.memory || !c.resources?.requests?.memory) problems.push(`${at}: memory request or limit missing`);
    // Every worker JVM would inherit it: memory flags belong on the service's command line.
    for (const e of c.env ?? []) {
      if (e.name === "JAVA_TOOL_OPTIONS") problems.push(`${at}: sets JAVA_TOOL_OPTIONS`);
    }
    const mounts = (c.volumeMounts ?? []).map((m) => m.mountPath);
    if (!mounts.includes("/tmp")) problems.push(`${at}: no writable /tmp volume`);
  }
  return problems;
}

let failed = false;
const files = process.argv.slice(2);
if (files.length === 0) {
  console.error("usage: node validate-manifests.mjs rendered.yaml...");
  process.exit(2);
}
for (const file of files) {
  const problems = [];
  const kinds = [];
  const docs = YAML.parseAllDocuments(readFileSync(file, "utf8"));
  for (const doc of docs) {
    if (doc.errors.length > 0) {
      problems.push(`YAML: ${doc.errors.map((e) => e.message).join("; ")}`);
      continue;
    }
    const object = doc.toJS();
    if (object === null) continue; // an empty document between two "---"
    const { apiVersion, kind } = object;
    const name = `${kind ?? "?"} ${object.metadata?.name ?? "?"}`;
    const Model = await modelFor(apiVersion, kind);
    if (!Model) {
      problems.push(`${name}: no schema known for apiVersion ${apiVersion}, kind ${kind}`);
      continue;
    }
    try {
      new Model(object).validate();
    } catch (error) {
      problems.push(`${name}: ${error.message}`);
    }
    if (kind === "Deployment" || kind === "StatefulSet") {
      problems.push(...podProblems(name, object.spec?.template));
    }
    kinds.push(kind);
  }
  if (kinds.length === 0) problems.push("no manifests at all");
  if (problems.length > 0) {
    failed = true;
    console.error(`FAIL ${file}`);
    for (const p of problems) console.error(`  - ${p}`);
  } else {
    console.log(`ok   ${file}: ${kinds.length} manifests (${[...new Set(kinds)].sort().join(", ")})`);
  }
}
process.exit(failed ? 1 : 0);
