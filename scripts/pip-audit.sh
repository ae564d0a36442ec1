#!/usr/bin/env bash
# Dependency vulnerability audit of the locked requirements (constraints.txt) with pip-audit.
#
# pip-audit is installed into a throwaway venv (default /tmp/audit-venv), never into the project's
# .venv, and run with --no-deps --disable-pip: it only reads the pins, nothing is installed from them.
# The vulnerability services are tried in order (default "osv pypi"); the first one that can look up
# at least one package is used. The result goes to reports/pip-audit.md (git-ignored).
#
# Exit status: 0 when the audit ran, whether or not vulnerabilities were found (read the report);
# non-zero, with a one-line error on stderr, when it could not run: pip-audit not installable, no
# service reachable, or a service that answered but could look up none of the packages (pip-audit
# then says "No known vulnerabilities found" although it checked nothing).
#
# Settings (environment): PIP_AUDIT_REQUIREMENTS (default constraints.txt), PIP_AUDIT_REPORT
# (default reports/pip-audit.md), PIP_AUDIT_VENV (default /tmp/audit-venv), PIP_AUDIT_SERVICES
# (default "osv pypi"), PIP_AUDIT_OSV_URL (an OSV API mirror, e.g. https://osv.internal/v1/query),
# PYTHON (interpreter for the venv, default python3).
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
REQ=${PIP_AUDIT_REQUIREMENTS:-$ROOT/constraints.txt}
OUT=${PIP_AUDIT_REPORT:-$ROOT/reports/pip-audit.md}
VENV=${PIP_AUDIT_VENV:-/tmp/audit-venv}
SERVICES=${PIP_AUDIT_SERVICES:-osv pypi}
PY=${PYTHON:-python3}

fail() { echo "pip-audit.sh: error: $*" >&2; exit 2; }

[ -f "$REQ" ] || fail "requirements file $REQ not found"
case "$(cd "$(dirname "$VENV")" 2>/dev/null && pwd)/$(basename "$VENV")" in
  "$ROOT/.venv"|"$ROOT/.venv/"*) fail "refusing to install pip-audit into the project venv ($VENV)";;
esac

if [ ! -x "$VENV/bin/pip-audit" ]; then
  "$PY" -m venv "$VENV" >/dev/null 2>&1 || fail "could not create the venv $VENV with $PY"
  "$VENV/bin/pip" install -q pip-audit >"$VENV.install.log" 2>&1 \
    || fail "could not install pip-audit into $VENV (see $VENV.install.log)"
fi
"$VENV/bin/pip-audit" --version >/dev/null 2>&1 || fail "$VENV/bin/pip-audit does not run"

WORK=$(mktemp -d) || fail "mktemp failed"
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$(dirname "$OUT")" || fail "cannot create $(dirname "$OUT")"

tried=""
for service in $SERVICES; do
  cmd=("$VENV/bin/pip-audit" -r "$REQ" --no-deps --disable-pip --progress-spinner off
       -s "$service" --desc on --aliases on --format json -o "$WORK/$service.json")
  if [ "$service" = osv ] && [ -n "${PIP_AUDIT_OSV_URL:-}" ]; then
    cmd+=(--osv-url "$PIP_AUDIT_OSV_URL")
  fi
  "${cmd[@]}" >"$WORK/$service.log" 2>&1
  rc=$?
  # pip-audit exits 1 both for "vulnerabilities found" and for errors: judge by its JSON output
  verdict=$("$VENV/bin/python" - "$WORK/$service.json" <<'PY'
import json, sys
try:
    deps = json.load(open(sys.argv[1]))["dependencies"]
except Exception:
    print("no-output"); sys.exit()
audited = [d for d in deps if "skip_reason" not in d]
print("ok" if audited else f"nothing-audited ({len(deps)} skipped)")
PY
)
  if [ "$verdict" = ok ]; then
    printf -v shown '%q ' "${cmd[@]}"
    "$VENV/bin/python" - "$WORK/$service.json" "$OUT" "$service" "$rc" "${shown% }" \
      "$("$VENV/bin/pip-audit" --version 2>&1)" "$REQ" <<'PY' || fail "could not write the report $OUT"
import datetime, json, sys

src, out, service, rc, command, version, req = sys.argv[1:8]
deps = json.load(open(src))["dependencies"]
audited = [d for d in deps if "skip_reason" not in d]
skipped = [d for d in deps if "skip_reason" in d]
vulnerable = [d for d in audited if d.get("vulns")]
count = sum(len(d["vulns"]) for d in vulnerable)

def cell(text, limit=160):
    text = " ".join(str(text or "").split()).replace("|", "\\|")
    return text if len(text) <= limit else text[:limit - 1] + "…"

lines = [
    "# pip-audit report", "",
    f"- date: {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M UTC}",
    f"- requirements: `{req}`",
    f"- tool: {version}; vulnerability service: **{service}** (pip-audit exit code {rc})",
    f"- command: `{command}`",
    f"- packages: {len(deps)} pinned, {len(audited)} audited, {len(skipped)} skipped",
    f"- result: **{len(vulnerable)} vulnerable package(s), {count} known vulnerabilit{'y' if count == 1 else 'ies'}**",
    "",
]
if vulnerable:
    lines += ["| package | version | id | aliases | fixed in | description |", "|---|---|---|---|---|---|"]
    for d in sorted(vulnerable, key=lambda d: d["name"].lower()):
        for v in d["vulns"]:
            lines.append(f"| {d['name']} | {d['version']} | {v['id']} | {cell(', '.join(v.get('aliases') or []))} "
                         f"| {cell(', '.join(v.get('fix_versions') or []) or 'no fix')} | {cell(v.get('description'))} |")
else:
    lines.append("No known vulnerabilities in the audited packages.")
if skipped:
    lines += ["", "## Skipped (not audited)", ""]
    lines += [f"- {d['name']}: {cell(d['skip_reason'], 200)}" for d in skipped]
open(out, "w", encoding="utf-8").write("\n".join(lines) + "\n")
print(f"pip-audit.sh: {len(vulnerable)} vulnerable package(s), {count} vulnerabilities "
      f"({len(audited)} audited, {len(skipped)} skipped) via {service}; report: {out}")
PY
    exit 0
  fi
  reason=$(grep -oE "Failed to resolve '[^']+'" "$WORK/$service.log" | head -n1)
  [ -n "$reason" ] || reason=$(grep -oE "(ConnectionError|Max retries exceeded|HTTPError|Timeout)[^,]{0,80}" "$WORK/$service.log" | head -n1)
  tried="$tried ${service}: ${verdict}${reason:+, $reason};"
  { echo "### -s $service (exit code $rc): ${verdict}"; echo; echo '```'
    grep -v '^WARNING' "$WORK/$service.log" | tail -n 3 | cut -c1-400
    [ -s "$WORK/$service.json" ] && head -c 300 "$WORK/$service.json" && echo
    echo '```'; echo; } >>"$WORK/failures.md"
done

{
  echo "# pip-audit report"
  echo
  echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "- requirements: \`$REQ\`"
  echo "- result: **the audit could not run** — no vulnerability service could look up the packages."
  echo "- services tried:${tried}"
  echo
  echo "\"nothing-audited\" means the service answered, but pip-audit skipped every package (for PyPI:"
  echo "its per-version JSON API, https://pypi.org/pypi/<name>/<version>/json, was not available)."
  echo
  cat "$WORK/failures.md"
} >"$OUT" 2>/dev/null
fail "audit could not run:${tried%;} (details in $OUT)"
