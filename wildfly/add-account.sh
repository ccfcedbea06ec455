#!/usr/bin/env bash
# Adds or updates accounts of the PipelineX API (WildFly's ApplicationRealm, through add-user.sh):
#   wildfly/add-account.sh JBOSS_HOME NAME:PASSWORD:ROLE[,ROLE] ...
# Roles: submitter (submits jobs, sees its own), viewer (sees every job), admin (everything).
# A running server reads the changed account files at the next sign-in; no restart is needed.
set -euo pipefail
jboss_home=${1:?usage: add-account.sh JBOSS_HOME NAME:PASSWORD:ROLE[,ROLE] ...}
shift
for spec in "$@"; do
  name=${spec%%:*}
  rest=${spec#*:}
  password=${rest%:*}
  roles=${rest##*:}
  case "$name" in
    ''|*[!A-Za-z0-9._@-]*) echo "add-account.sh: an account name uses letters, digits and . _ @ - only, not '$name'" >&2; exit 2 ;;
  esac
  [ "$rest" != "$spec" ] && [ "$password" != "$rest" ] && [ -n "$password" ] \
    || { echo "add-account.sh: give NAME:PASSWORD:ROLES for account '$name'" >&2; exit 2; }
  for role in ${roles//,/ }; do
    case "$role" in submitter|viewer|admin) ;; *)
      echo "add-account.sh: role '$role' is not one of submitter, viewer, admin" >&2; exit 2 ;;
    esac
  done
  JAVA_OPTS="${JAVA_OPTS:-} -Djava.awt.headless=true" "$jboss_home/bin/add-user.sh" -a -s \
    -u "$name" -p "$password" -g "$roles" >/dev/null \
    || { echo "add-account.sh: add-user.sh refused account '$name'" >&2; exit 1; }
done
