{{/*
Named templates. In this chart they get the chart's root context. From your own chart, with this chart
as a dependency named "salve" (its values under salve: in yours), give them the dependency's context,
.Subcharts.salve; see README.md beside this file:
  template:
    metadata:
      annotations:
        {{- include "salve.podAnnotations" .Subcharts.salve | trim | nindent 8 }}
    spec:
      terminationGracePeriodSeconds: {{ include "salve.terminationGracePeriodSeconds" .Subcharts.salve }}
      containers:
        - name: my-app ...
        {{- include "salve.sidecar" .Subcharts.salve | nindent 8 }}
      volumes:
        {{- include "salve.volumes" .Subcharts.salve | nindent 8 }}
*/}}

{{- define "salve.fullname" -}}
{{- printf "%s-salve" .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- end }}

{{- define "salve.configMapName" -}}
{{- printf "%s-salve-config" .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- end }}

{{- define "salve.labels" -}}
app.kubernetes.io/name: salve
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service | default "Helm" }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end }}

{{- define "salve.selectorLabels" -}}
app.kubernetes.io/name: salve
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* The default salve.config: the example app on 127.0.0.1:8080 behind the ingress listener. */}}
{{- define "salve.defaultConfig" -}}
admin:
  address: 127.0.0.1:9901
  probes:
    address: 0.0.0.0:15021
  readyWhenHealthy: [app]
drainTimeout: 15s
listeners:
  - name: ingress
    address: 0.0.0.0:15000
    routes:
      - name: default
        match: { pathPrefix: / }
        upstream: app
upstreams:
  app:
    endpoints: [127.0.0.1:8080]
    healthCheck:
      path: /
      interval: 5s
{{- end }}

{{/* salve.config, or the default when it is empty (a dict: values maps would merge key by key). */}}
{{- define "salve.config" -}}
{{- if .Values.salve.config -}}
{{- toYaml .Values.salve.config -}}
{{- else -}}
{{- include "salve.defaultConfig" . | fromYaml | toYaml -}}
{{- end -}}
{{- end }}

{{/* The config as rendered into the ConfigMap (and hashed for checksum/config). */}}
{{- define "salve.configYaml" -}}
{{- include "salve.config" . -}}
{{- end }}

{{/* "15s" -> 15, "250ms" -> 1 (rounded up), "2m" -> 120, "1h" -> 3600. */}}
{{- define "salve.durationSeconds" -}}
{{- $d := toString . -}}
{{- if regexMatch "^[0-9]+ms$" $d -}}{{ div (add (trimSuffix "ms" $d | int) 999) 1000 }}
{{- else if regexMatch "^[0-9]+s$" $d -}}{{ trimSuffix "s" $d | int }}
{{- else if regexMatch "^[0-9]+m$" $d -}}{{ mul (trimSuffix "m" $d | int) 60 }}
{{- else if regexMatch "^[0-9]+h$" $d -}}{{ mul (trimSuffix "h" $d | int) 3600 }}
{{- else -}}{{ fail (printf "salve.config.drainTimeout: %q is not a duration like 15s, 500ms or 1m" $d) }}
{{- end -}}
{{- end }}

{{/* Port of a HOST:PORT address. */}}
{{- define "salve.addressPort" -}}
{{- $parts := splitList ":" (toString .) -}}
{{- last $parts -}}
{{- end }}

{{/* Refuses values whose ports disagree with the config (a probe on the wrong port never passes). */}}
{{- define "salve.validate" -}}
{{- $s := .Values.salve -}}
{{- $config := include "salve.config" . | fromYaml -}}
{{- $probes := dig "admin" "probes" "address" "" $config -}}
{{- if not $probes -}}
{{- fail "salve.config.admin.probes.address must be set (for example 0.0.0.0:15021): the kubelet probes and Prometheus scrape salve there" -}}
{{- end -}}
{{- if ne (include "salve.addressPort" $probes) (toString $s.ports.probes) -}}
{{- fail (printf "salve.ports.probes is %v but salve.config.admin.probes.address is %s" $s.ports.probes $probes) -}}
{{- end -}}
{{- $ingress := "" -}}
{{- range $config.listeners -}}
{{- if eq .name $s.ingressListener -}}{{- $ingress = .address -}}{{- end -}}
{{- end -}}
{{- if $ingress -}}
{{- if ne (include "salve.addressPort" $ingress) (toString $s.ports.ingress) -}}
{{- fail (printf "salve.ports.ingress is %v but listener %q in salve.config listens on %s" $s.ports.ingress $s.ingressListener $ingress) -}}
{{- end -}}
{{- end -}}
{{- range $s.tlsSecrets -}}
{{- if not (and .name .secretName (regexMatch "^[a-z0-9]([-a-z0-9]{0,40}[a-z0-9])?$" (toString .name))) -}}
{{- fail (printf "salve.tlsSecrets: each entry needs a name (lower-case letters, digits and '-', at most 42 characters; it names the volume and the folder /etc/salve/tls/<name>) and a secretName, got %v" .) -}}
{{- end -}}
{{- end -}}
{{- if and (not $s.rollOnConfigChange) (eq (toString (dig "reload" "watch" true $config)) "false") -}}
{{- fail "salve.rollOnConfigChange is false and salve.config.reload.watch is false: a config change would reach no running pod" -}}
{{- end -}}
{{- end }}

{{/* terminationGracePeriodSeconds covering the preStop delay, salve's drainTimeout and a margin. */}}
{{- define "salve.terminationGracePeriodSeconds" -}}
{{- $s := .Values.salve -}}
{{- $config := include "salve.config" . | fromYaml -}}
{{- $drain := include "salve.durationSeconds" ($config.drainTimeout | default "15s") | int -}}
{{- add ($s.preStopDelaySeconds | int) $drain ($s.terminationMarginSeconds | int) -}}
{{- end }}

{{/* Pod annotations: Prometheus scraping of the probe port, and the config checksum that rolls pods. */}}
{{- define "salve.podAnnotations" -}}
{{- if .Values.prometheus.annotations }}
prometheus.io/scrape: "true"
prometheus.io/port: {{ .Values.salve.ports.probes | quote }}
prometheus.io/path: /metrics
{{- end }}
{{- if .Values.salve.rollOnConfigChange }}
checksum/config: {{ include "salve.configYaml" . | sha256sum }}
{{- end }}
{{- end }}

{{/* The salve sidecar container: one list item of the pod's containers, or of its initContainers
when salve.nativeSidecar is true. */}}
{{- define "salve.sidecar" -}}
{{- include "salve.validate" . -}}
{{- $s := .Values.salve -}}
- name: salve
  image: "{{ $s.image.repository }}:{{ $s.image.tag | default .Chart.AppVersion }}"
  imagePullPolicy: {{ $s.image.pullPolicy }}
  {{- if $s.nativeSidecar }}
  # A native sidecar (in initContainers): started before the app, stopped after it.
  restartPolicy: Always
  {{- end }}
  ports:
    - name: salve-ingress
      containerPort: {{ $s.ports.ingress }}
      protocol: TCP
    - name: salve-probes
      containerPort: {{ $s.ports.probes }}
      protocol: TCP
  env:
    - name: SALVE_JVM_EXTRA
      value: {{ $s.jvmExtraFlags | quote }}
    {{- with $s.env }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  startupProbe:
    httpGet: { path: /live, port: salve-probes }
    {{- toYaml $s.probes.startup | nindent 4 }}
  livenessProbe:
    httpGet: { path: /live, port: salve-probes }
    {{- toYaml $s.probes.liveness | nindent 4 }}
  readinessProbe:
    httpGet: { path: /ready, port: salve-probes }
    {{- toYaml $s.probes.readiness | nindent 4 }}
  lifecycle:
    preStop:
      exec:
        command: ["sleep", "{{ $s.preStopDelaySeconds }}"]
  resources:
    {{- toYaml $s.resources | nindent 4 }}
  securityContext:
    {{- toYaml $s.securityContext | nindent 4 }}
  volumeMounts:
    - name: salve-config
      mountPath: /etc/salve
      readOnly: true
    - name: salve-tmp
      mountPath: /tmp
    {{- range $s.tlsSecrets }}
    - name: salve-tls-{{ .name }}
      mountPath: /etc/salve/tls/{{ .name }}
      readOnly: true
    {{- end }}
{{- end }}

{{/* The volumes salve.sidecar mounts (list items of a pod's volumes). */}}
{{- define "salve.volumes" -}}
- name: salve-config
  configMap:
    name: {{ include "salve.configMapName" . }}
- name: salve-tmp
  emptyDir:
    sizeLimit: {{ .Values.salve.tmpSizeLimit }}
{{- range .Values.salve.tlsSecrets }}
- name: salve-tls-{{ .name }}
  secret:
    secretName: {{ .secretName }}
{{- end }}
{{- end }}
