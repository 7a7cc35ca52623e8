{{/*
Names and labels, as in the `helm create` starter.
*/}}
{{- define "taskpool.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "taskpool.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "taskpool.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "taskpool.labels" -}}
helm.sh/chart: {{ include "taskpool.chart" . }}
{{ include "taskpool.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "taskpool.selectorLabels" -}}
app.kubernetes.io/name: {{ include "taskpool.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/*
The taskpool pods. The component label keeps the bundled PostgreSQL's pod out of the Services'
and the PodDisruptionBudget's selectors.
*/}}
{{- define "taskpool.serverSelectorLabels" -}}
{{ include "taskpool.selectorLabels" . }}
app.kubernetes.io/component: server
{{- end }}

{{- define "taskpool.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "taskpool.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "taskpool.postgresql.fullname" -}}
{{- printf "%s-postgresql" (include "taskpool.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Which store the service uses: "postgresql" (bundled), "external" or "embedded" (H2 on the data
volume). Also the one place that refuses combinations the service cannot run.
*/}}
{{- define "taskpool.store" -}}
{{- if and .Values.postgresql.enabled .Values.externalDatabase.url }}
{{- fail "postgresql.enabled and externalDatabase.url are both set: choose one store" }}
{{- else if .Values.postgresql.enabled }}postgresql
{{- else if .Values.externalDatabase.url }}external
{{- else }}embedded
{{- end }}
{{- end }}

{{/*
Checks that span several values; included once by the Deployment.
*/}}
{{- define "taskpool.validate" -}}
{{- $store := include "taskpool.store" . }}
{{- if and (eq $store "embedded") (gt (int .Values.replicaCount) 1) }}
{{- fail (printf "replicaCount=%d needs a shared store: the embedded H2 file serves one replica only. Set postgresql.enabled=true (bundled, for trying out) or externalDatabase.url, or keep replicaCount=1." (int .Values.replicaCount)) }}
{{- end }}
{{- if and (eq $store "embedded") .Values.autoscaling.enabled }}
{{- fail "autoscaling.enabled=true needs a shared store: the embedded H2 file serves one replica only. Set postgresql.enabled=true (bundled, for trying out) or externalDatabase.url, or turn autoscaling off." }}
{{- end }}
{{- if le (int .Values.terminationGracePeriodSeconds) (int .Values.drainTimeoutSeconds) }}
{{- fail (printf "terminationGracePeriodSeconds (%d) must be larger than drainTimeoutSeconds (%d): the worker pool stops after the drain, and Kubernetes kills the pod when the grace period ends." (int .Values.terminationGracePeriodSeconds) (int .Values.drainTimeoutSeconds)) }}
{{- end }}
{{- end }}

{{/*
spring.datasource.* for the chosen store, merged under .Values.config (which wins).
*/}}
{{- define "taskpool.datasource" -}}
{{- $store := include "taskpool.store" . }}
{{- if eq $store "postgresql" }}
url: {{ printf "jdbc:postgresql://%s:5432/%s" (include "taskpool.postgresql.fullname" .) .Values.postgresql.auth.database | quote }}
username: {{ .Values.postgresql.auth.username | quote }}
{{- else if eq $store "external" }}
url: {{ .Values.externalDatabase.url | quote }}
username: {{ .Values.externalDatabase.username | quote }}
{{- else }}
{{- /* WRITE_DELAY=500 and DB_CLOSE_ON_EXIT=FALSE as in the service's default URL; see the README. */}}
url: {{ printf "jdbc:h2:file:%s/taskpool;WRITE_DELAY=500;DB_CLOSE_ON_EXIT=FALSE" .Values.persistence.mountPath | quote }}
{{- end }}
{{- end }}

{{/*
Where the database password comes from, as a secretKeyRef body; empty for the embedded store.
*/}}
{{- define "taskpool.databasePasswordRef" -}}
{{- $store := include "taskpool.store" . }}
{{- if eq $store "postgresql" }}
name: {{ include "taskpool.postgresql.fullname" . }}
key: password
{{- else if eq $store "external" }}
{{- if .Values.externalDatabase.existingSecret }}
name: {{ .Values.externalDatabase.existingSecret }}
key: {{ .Values.externalDatabase.existingSecretPasswordKey }}
{{- else }}
name: {{ include "taskpool.secretName" . }}
key: database-password
{{- end }}
{{- end }}
{{- end }}

{{- define "taskpool.secretName" -}}
{{- default (include "taskpool.fullname" .) .Values.existingSecret }}
{{- end }}

{{/*
A value kept in an existing Secret, or a new random one: the same on every upgrade. The result
is remembered in the release-wide values so the Secret and the Deployment's checksum agree.
Arguments: (list $ secretName key length).
*/}}
{{- define "taskpool.keptRandom" -}}
{{- $root := index . 0 }}
{{- $secret := index . 1 }}
{{- $key := index . 2 }}
{{- $memo := printf "%s/%s" $secret $key }}
{{- if not (hasKey $root.Values "_generated") }}
{{- $_ := set $root.Values "_generated" dict }}
{{- end }}
{{- if not (hasKey $root.Values._generated $memo) }}
{{- $existing := lookup "v1" "Secret" $root.Release.Namespace $secret }}
{{- $value := "" }}
{{- if and $existing (hasKey (default dict $existing.data) $key) }}
{{- $value = index $existing.data $key | b64dec }}
{{- else }}
{{- $value = randAlphaNum (int (index . 3)) }}
{{- end }}
{{- $_ := set $root.Values._generated $memo $value }}
{{- end }}
{{- index $root.Values._generated $memo }}
{{- end }}

{{/*
The API keys file: the generated key first (when enabled), then .Values.apiKeys.
*/}}
{{- define "taskpool.apiKeysProperties" -}}
{{- $keys := list }}
{{- if .Values.generatedApiKey.enabled }}
{{- $plain := include "taskpool.keptRandom" (list . (include "taskpool.fullname" .) "apiKey" 40) }}
{{- $keys = append $keys (dict "tenant" .Values.generatedApiKey.tenant "sha256" (sha256sum $plain) "roles" .Values.generatedApiKey.roles) }}
{{- end }}
{{- $keys = concat $keys .Values.apiKeys }}
# API keys by tenant: the SHA-256 of each key, never the key.
{{- range $i, $k := $keys }}
taskpool.security.api-keys[{{ $i }}].tenant={{ $k.tenant }}
taskpool.security.api-keys[{{ $i }}].key-sha256={{ $k.sha256 }}
taskpool.security.api-keys[{{ $i }}].roles={{ join "," $k.roles }}
{{- end }}
{{- end }}

{{/*
The java command line: the JVM, the service's own heap and options, the main class, arguments.
*/}}
{{- define "taskpool.command" -}}
{{- $cmd := concat .Values.image.command (list (printf "-Xms%s" .Values.jvm.heap) (printf "-Xmx%s" .Values.jvm.heap)) .Values.jvm.options .Values.image.args .Values.extraArgs }}
{{- toYaml $cmd }}
{{- end }}
