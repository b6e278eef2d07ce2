#!/usr/bin/env bash
# Grants the E-Safety app registration (aadApp/create: AAD_APP_CLIENT_ID, NOT the bot's BOT_ID)
# exactly the Microsoft Graph application permissions of one mode, read from the app's own table
# (src/graph/permissions.ts, built into dist/): never a copied list.
#   --audit-only  AUDIT_ONLY_PERMISSIONS: the read-only tenant audit
#   --full        every permission the features need in Entra (Mail.Send is not one: Exchange RBAC)
#   --dry-run     print the az commands instead of running them (no sign-in needed)
# Needs: npm run build:server; az signed in as a Privileged Role Administrator or Global Administrator.
# Usage: scripts/grant-consent.sh --audit-only [--dry-run] <AAD_APP_CLIENT_ID>
set -euo pipefail
cd "$(dirname "$0")/.."

mode="" dry=""
args=()
for a in "$@"; do
  case "$a" in
    --audit-only) mode=audit ;;
    --full) mode=full ;;
    --dry-run) dry=1 ;;
    -*) echo "unknown option $a" >&2; exit 2 ;;
    *) args+=("$a") ;;
  esac
done
app_id="${args[0]:-}"
if [ -z "$mode" ] || [ -z "$app_id" ]; then
  echo "usage: scripts/grant-consent.sh --audit-only|--full [--dry-run] <AAD_APP_CLIENT_ID from env/.env.dev>" >&2
  exit 2
fi
if [ ! -f dist/src/graph/permissions.js ]; then
  echo "build first: npm run build:server" >&2
  exit 2
fi

permissions=$(MODE="$mode" node -e '
  const t = require("./dist/src/graph/permissions.js");
  const entra = (c) => !c.grantedIn && !c.needs.some((anyOf) => anyOf.includes("Mail.Send"));
  const full = t.APP_PERMISSIONS ?? [...new Set(t.CAPABILITIES.filter(entra).flatMap((c) => c.needs.map((anyOf) => anyOf[0])))];
  const list = process.env.MODE === "audit" ? t.AUDIT_ONLY_PERMISSIONS : full;
  process.stdout.write(list.filter((p) => p !== "Mail.Send").join("\n"));
')

GRAPH=00000003-0000-0000-c000-000000000000
run() {
  if [ -n "$dry" ]; then printf '%q ' "$@"; echo; else "$@"; fi
}
lookup() {
  if [ -n "$dry" ]; then echo "<$1>"; else "${@:2}"; fi
}

sp=$(lookup "service principal of $app_id" az ad sp show --id "$app_id" --query id --output tsv)
graph_sp=$(lookup "Microsoft Graph service principal" az ad sp show --id "$GRAPH" --query id --output tsv)
echo "# $mode: granting $(echo "$permissions" | wc -l | tr -d ' ') Microsoft Graph application permissions to $app_id" >&2
while IFS= read -r permission; do
  role=$(lookup "id of $permission" az ad sp show --id "$GRAPH" --query "appRoles[?value=='$permission'].id | [0]" --output tsv)
  if [ -z "$role" ]; then echo "Microsoft Graph has no application permission $permission" >&2; exit 1; fi
  run az rest --method POST --uri "https://graph.microsoft.com/v1.0/servicePrincipals/$sp/appRoleAssignments" \
    --body "{\"principalId\":\"$sp\",\"resourceId\":\"$graph_sp\",\"appRoleId\":\"$role\"}"
done <<< "$permissions"
