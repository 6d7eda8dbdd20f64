/**
 * The notification template file (Go templates, loaded through `templates:` in alertmanager.yml).
 * Every message shows what on-call needs first: the summary, the description, and the links on to the
 * runbook, the dashboard and (for error alerts) the Sentry issue search.
 */

/** Where the file lands in the bundle; alertmanager.yml names it relative to its own directory. */
export const TEMPLATE_FILE = 'templates/obs.tmpl';

/** `{{ template "name" . }}`: how receivers refer to a definition of the template file. */
export function use(name: TemplateName): string {
  return `{{ template "${name}" . }}`;
}

export type TemplateName =
  | 'obs.title'
  | 'obs.slack.text'
  | 'obs.email.subject'
  | 'obs.email.text'
  | 'obs.email.html'
  | 'obs.pagerduty.description'
  | 'obs.pagerduty.severity';

/** The file's text. Alertmanager parses it with both text/template and html/template (e-mail bodies). */
export const TEMPLATE_TEXT = `{{/* Notification texts for the receivers of alertmanager.yml. */}}

{{/* [FIRING:2] critical · ChatApiHighErrorRatio · chat-api · SLO availability */}}
{{ define "obs.title" -}}
[{{ .Status | toUpper }}{{ if eq .Status "firing" }}:{{ .Alerts.Firing | len }}{{ end }}]
{{- with .CommonLabels.severity }} {{ . }} ·{{ end }} {{ .CommonLabels.alertname }}
{{- with .CommonLabels.service }} · {{ . }}{{ end }}
{{- with .CommonLabels.slo }} · SLO {{ . }}{{ end }}
{{- end }}

{{ define "obs.slack.text" -}}
{{ range .Alerts -}}
{{ if eq .Status "firing" }}:red_circle:{{ else }}:large_green_circle:{{ end }} *{{ .Annotations.summary }}*
{{ with .Annotations.description }}{{ . }}
{{ end -}}
{{ with .Annotations.runbook_url }}:book: <{{ . }}|Runbook>  {{ end -}}
{{ with .Annotations.dashboard_url }}:bar_chart: <{{ . }}|Dashboard>  {{ end -}}
{{ with .Annotations.sentry_url }}:mag: <{{ . }}|Sentry issues>{{ end }}
{{ end -}}
{{- end }}

{{ define "obs.email.subject" }}{{ template "obs.title" . }}{{ end }}

{{ define "obs.email.text" -}}
{{ range .Alerts -}}
[{{ .Status | toUpper }}] {{ .Annotations.summary }}
{{ with .Annotations.description }}{{ . }}
{{ end -}}
{{ with .Annotations.runbook_url }}Runbook: {{ . }}
{{ end -}}
{{ with .Annotations.dashboard_url }}Dashboard: {{ . }}
{{ end -}}
{{ with .Annotations.sentry_url }}Sentry issues: {{ . }}
{{ end -}}
Labels:{{ range .Labels.SortedPairs }} {{ .Name }}={{ .Value }}{{ end }}

{{ end -}}
{{- end }}

{{ define "obs.email.html" -}}
<!DOCTYPE html>
<html><body style="font-family: sans-serif">
<h2>{{ template "obs.title" . }}</h2>
{{ range .Alerts -}}
<div style="margin-bottom: 1.5em">
<p><strong>[{{ .Status | toUpper }}] {{ .Annotations.summary }}</strong></p>
{{ with .Annotations.description }}<p style="white-space: pre-wrap">{{ . }}</p>{{ end }}
<p>
{{- with .Annotations.runbook_url }}<a href="{{ . }}">Runbook</a> {{ end -}}
{{ with .Annotations.dashboard_url }}<a href="{{ . }}">Dashboard</a> {{ end -}}
{{ with .Annotations.sentry_url }}<a href="{{ . }}">Sentry issues</a>{{ end -}}
</p>
<p style="color: #666">{{ range .Labels.SortedPairs }}{{ .Name }}={{ .Value }} {{ end }}</p>
</div>
{{ end -}}
</body></html>
{{- end }}

{{/* PagerDuty knows critical, error, warning and info: ours pass through, anything else is an error. */}}
{{ define "obs.pagerduty.severity" -}}
{{ if eq .CommonLabels.severity "critical" "warning" "info" }}{{ .CommonLabels.severity }}{{ else }}error{{ end }}
{{- end }}

{{ define "obs.pagerduty.description" -}}
{{ template "obs.title" . }}{{ with .CommonAnnotations.summary }}: {{ . }}{{ end }}
{{- end }}
`;
